// solc for the teebuild solc-js pack: `solc --standard-json` (standard JSON in on stdin, out on
// stdout) and `solc --version`, like the native solc binary, so the two are interchangeable.
// It compiles with soljson's own C entry point and no import callback: every source must be inline
// in the input, and nothing is read from the filesystem or the network.
'use strict';
const fs = require('fs');
const path = require('path');

const soljson = require(path.join(__dirname, 'soljson.js'));

function version() {
  return soljson.cwrap('solidity_version', 'string', [])();
}

function compileStandard(input) {
  const compile = soljson.cwrap('solidity_compile', 'string', ['string', 'number', 'number']);
  return compile(input, 0, 0);
}

function main(args) {
  if (args.length === 1 && args[0] === '--version') {
    process.stdout.write('solc, the solidity compiler commandline interface\nVersion: ' + version() + '\n');
    return 0;
  }
  if (args.length === 1 && args[0] === '--standard-json') {
    process.stdout.write(compileStandard(fs.readFileSync(0, 'utf8')) + '\n');
    return 0;
  }
  process.stderr.write('usage: solc --standard-json < input.json | solc --version\n');
  return 2;
}

process.exitCode = main(process.argv.slice(2));
