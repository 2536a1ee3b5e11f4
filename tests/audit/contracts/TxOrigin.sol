// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Authorises by tx.origin: any contract the owner calls can act as the owner.
contract TxOrigin {
    address public owner;

    constructor() {
        owner = msg.sender;
    }

    function setOwner(address next) external {
        require(tx.origin == owner, "not owner");
        owner = next;
    }
}
