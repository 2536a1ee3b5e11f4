// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

// A public library function is called, not inlined: the bytecode carries a link placeholder, which
// the archive must list as the contract's library (as crytic-compile does).
library Tally {
    function add(uint256 a, uint256 b) public pure returns (uint256) {
        return a + b;
    }
}

contract LinkedLibrary {
    uint256 public total;

    function bump(uint256 by) external {
        total = Tally.add(total, by);
    }
}
