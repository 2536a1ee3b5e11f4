// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import "./A.sol";
import './B.sol' as B;
import * as C from "lib/C.sol";
import {D, E as F} from "@scope/pkg/D.sol";
// import "commented.sol";
/* import "block-commented.sol"; */
string constant S = "import \"in-string.sol\";";
import "escaped\"quote.sol";
import
  "split/over/lines.sol"
;
contract X { function importish() external {} }
