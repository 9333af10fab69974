/** Config precedence (defaults < file < environment < flags) and every config-file error. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { configFilePath, didYouMean, loadConfig, readConfigFile } from '../../../src/config/load.js';
import { isP2PError } from '../../../src/core/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;

function file(content: string): string {
  files += 1;
  const name = path.join(dir, `config-${files}.json`);
  fs.writeFileSync(name, content);
  return name;
}

/** The one-line error `fn` throws, checked to be the config-file error (exit 2). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isP2PError(error), String(error));
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes('\n'), 'one line');
    return error.message;
  }
  assert.fail('expected an error');
}

describe('config precedence: each pair of sources', () => {
  const noHome = path.join(dir, 'no-home');
  const withFile = (json: object): NodeJS.ProcessEnv => ({ P2PCHAT_CONFIG: file(JSON.stringify(json)) });

  it('file beats default', () => {
    const config = loadConfig({}, withFile({ timeout: 1234 }), noHome);
    assert.deepEqual([config.options.timeout, config.sources.timeout], [1234, 'file']);
    assert.deepEqual([config.options.maxPeers, config.sources.maxPeers], [1000, 'default']);
  });

  it('environment beats default', () => {
    const config = loadConfig({}, { P2PCHAT_MAX_PEERS: '7' }, noHome);
    assert.deepEqual([config.options.maxPeers, config.sources.maxPeers], [7, 'env']);
  });

  it('flag beats default', () => {
    const config = loadConfig({ verify: 'strict' }, {}, noHome);
    assert.deepEqual([config.options.verify, config.sources.verify], ['strict', 'flag']);
  });

  it('environment beats file', () => {
    const config = loadConfig({}, { ...withFile({ name: 'FromFile' }), P2PCHAT_NAME: 'FromEnv' }, noHome);
    assert.deepEqual([config.options.name, config.sources.name], ['FromEnv', 'env']);
  });

  it('flag beats file', () => {
    const config = loadConfig({ port: 6000 }, withFile({ port: 5000 }), noHome);
    assert.deepEqual([config.options.port, config.sources.port], [6000, 'flag']);
  });

  it('flag beats environment', () => {
    const config = loadConfig({ host: '127.0.0.1' }, { P2PCHAT_HOST: '::1' }, noHome);
    assert.deepEqual([config.options.host, config.sources.host], ['127.0.0.1', 'flag']);
  });

  it('lists: peers from the file as an array, from the environment comma-separated, canonical', () => {
    assert.deepEqual(loadConfig({}, withFile({ peers: ['127.0.0.1:5001', '[0:0::1]:5002'] }), noHome).options.peers, ['127.0.0.1:5001', '[::1]:5002']);
    assert.deepEqual(loadConfig({}, { P2PCHAT_PEER: '127.0.0.1:1, 127.0.0.1:2' }, noHome).options.peers, ['127.0.0.1:1', '127.0.0.1:2']);
  });

  it('the file is --config, else P2PCHAT_CONFIG, else XDG_CONFIG_HOME, else ~/.config', () => {
    assert.deepEqual(configFilePath('/a.json', { P2PCHAT_CONFIG: '/b.json' }, '/home/u'), { path: '/a.json', explicit: true });
    assert.deepEqual(configFilePath(undefined, { P2PCHAT_CONFIG: '/b.json', XDG_CONFIG_HOME: '/x' }, '/home/u'), { path: '/b.json', explicit: true });
    assert.deepEqual(configFilePath(undefined, { XDG_CONFIG_HOME: '/x' }, '/home/u'), { path: '/x/p2pchat/config.json', explicit: false });
    assert.deepEqual(configFilePath(undefined, {}, '/home/u'), { path: '/home/u/.config/p2pchat/config.json', explicit: false });
  });

  it('a missing default file is fine; the XDG file is read when present', () => {
    assert.equal(loadConfig({}, {}, noHome).file, undefined);
    const xdg = path.join(dir, 'xdg');
    fs.mkdirSync(path.join(xdg, 'p2pchat'), { recursive: true });
    fs.writeFileSync(path.join(xdg, 'p2pchat', 'config.json'), '{"name": "Xdg"}');
    const config = loadConfig({}, { XDG_CONFIG_HOME: xdg }, noHome);
    assert.deepEqual([config.options.name, config.file], ['Xdg', path.join(xdg, 'p2pchat', 'config.json')]);
  });
});

describe('config file errors: exit 2, one line naming the file, the key and what was expected', () => {
  it('JSON syntax: line and column', () => {
    const name = file('{\n  "name": "A",\n  "port": 5000,\n}\n');
    const message = errorOf(() => readConfigFile(name, true));
    assert.match(message, new RegExp(`^config file ${name}: not valid JSON at line 4, column 1: `));
  });

  it('not an object', () => {
    const name = file('[1, 2]');
    assert.match(errorOf(() => readConfigFile(name, true)), /: expected a JSON object such as \{"name": "Alice", "port": 5000\}, not an array$/);
  });

  it('an unknown key, with did-you-mean', () => {
    const name = file('{"prot": 5000}');
    assert.equal(errorOf(() => readConfigFile(name, true)), `config file ${name}: unknown key "prot"; did you mean "port"?`);
    assert.equal(didYouMean('maxpeers'), 'maxPeers');
    const other = file('{"zzzzzzzz": 1}');
    assert.match(errorOf(() => readConfigFile(other, true)), /unknown key "zzzzzzzz"; keys are name, port, /);
  });

  it('a key that belongs on the command line only', () => {
    const name = file('{"showConfig": true}');
    assert.match(errorOf(() => readConfigFile(name, true)), /unknown key "showConfig"/);
  });

  it('a bad value, through the same validator as the flag', () => {
    const name = file('{"port": 70000}');
    assert.equal(errorOf(() => readConfigFile(name, true)), `config file ${name}: key "port": port 70000 is outside 1..65535 (use auto for any free port).`);
    const peer = file('{"peers": ["127.0.0.1"]}');
    assert.match(errorOf(() => readConfigFile(peer, true)), /key "peers": peer "127\.0\.0\.1" is not ip:port \(the :port is missing; /);
  });

  it('a value of the wrong type', () => {
    const json = file('{"json": "yes"}');
    assert.equal(errorOf(() => readConfigFile(json, true)), `config file ${json}: key "json" must be true or false, not string "yes"`);
    const peers = file('{"peers": "127.0.0.1:5001"}');
    assert.match(errorOf(() => readConfigFile(peers, true)), /key "peers" must be an array of strings/);
    const name = file('{"name": null}');
    assert.match(errorOf(() => readConfigFile(name, true)), /key "name" must be a string or a number, not null/);
  });

  it('an explicit file that does not exist', () => {
    const name = path.join(dir, 'missing.json');
    assert.equal(errorOf(() => readConfigFile(name, true)), `config file ${name}: cannot read it (ENOENT)`);
  });

  it('a bad environment variable names the variable', () => {
    try {
      loadConfig({}, { P2PCHAT_TIMEOUT: 'soon' }, path.join(dir, 'none'));
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(isP2PError(error));
      assert.equal(error.code, 'P2P_ENV_INVALID');
      assert.equal(error.message, 'environment variable P2PCHAT_TIMEOUT: timeout "soon" is not a whole number above 0.');
    }
  });
});
