// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Ignores the success flag of a low-level call.
contract UncheckedLowLevel {
    function forward(address target, bytes calldata data) external {
        target.call(data);
    }
}
