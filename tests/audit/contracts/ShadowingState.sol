// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Derived redeclares the base's state variable: Base's functions and Derived's see different slots.
contract Base {
    address private owner = msg.sender;

    function isOwner() internal view returns (bool) {
        return msg.sender == owner;
    }
}

contract ShadowingState is Base {
    address public owner;

    function withdraw() external {
        require(isOwner(), "not owner");
        payable(msg.sender).transfer(address(this).balance);
    }
}
