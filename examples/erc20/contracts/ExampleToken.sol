// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// A fixed-supply token: everything is minted to the deployer.
contract ExampleToken is ERC20 {
    constructor(uint256 initialSupply) ERC20("Example Token", "EXT") {
        _mint(msg.sender, initialSupply);
    }
}
