// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Anyone can send the contract's ether to any address.
contract ArbitrarySend {
    receive() external payable {}

    function pay(address payable to, uint256 amount) external {
        to.transfer(amount);
    }
}
