// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Sends ether before zeroing the balance: a re-entrant withdraw drains the contract.
contract Reentrancy {
    mapping(address => uint256) public balances;

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }
}
