// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

// Checks-effects-interactions, checked calls, msg.sender auth: nothing at high impact.
contract Clean {
    mapping(address => uint256) public balances;

    event Withdrawn(address indexed who, uint256 amount);

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        balances[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
    }
}
