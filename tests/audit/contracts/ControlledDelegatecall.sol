// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Delegatecalls into an address and with data the caller chooses.
contract ControlledDelegatecall {
    address public owner;

    function execute(address target, bytes calldata data) external {
        (bool ok, ) = target.delegatecall(data);
        require(ok, "delegatecall failed");
    }
}
