/** The config file, the environment and --show-config, through the built CLI. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SCHEMA } from '../../../src/config/schema.js';
import { runCli } from '../../helpers/headless-peer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-cli-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
// No user's own config file may leak into these runs.
const ENV = { XDG_CONFIG_HOME: path.join(dir, 'xdg'), HOME: dir };

describe('--show-config', () => {
  it('prints every effective option with its source and exits 0', async () => {
    const config = path.join(dir, 'show.json');
    fs.writeFileSync(config, JSON.stringify({ name: 'Filed', timeout: 1500, peers: ['127.0.0.1:5001'] }));
    const result = await runCli(['--config', config, '--show-config', '--verify', 'strict'], { env: { ...ENV, P2PCHAT_MAX_PEERS: '9' } });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], `config file: ${config}`);
    const byKey = new Map(lines.slice(1).map((line) => [line.split(/\s+/)[0], line] as const));
    assert.match(byKey.get('name') ?? '', /^name\s+Filed\s+\[file\]$/);
    assert.match(byKey.get('timeout') ?? '', /\s1500\s+\[file\]$/);
    assert.match(byKey.get('peers') ?? '', /\s127\.0\.0\.1:5001\s+\[file\]$/);
    assert.match(byKey.get('verify') ?? '', /\sstrict\s+\[flag\]$/);
    assert.match(byKey.get('maxPeers') ?? '', /\s9\s+\[env\]$/);
    assert.match(byKey.get('host') ?? '', /\s0\.0\.0\.0\s+\[default\]$/);
    assert.match(byKey.get('port') ?? '', /\(asked on a terminal\)\s+\[default\]$/);
    // Every option but --config and --show-config, however many features add (the outbox added 1, rooms 3).
    assert.equal(byKey.size, SCHEMA.filter((o) => o.key !== 'config' && o.key !== 'showConfig').length, 'one line per option');
    assert.match(byKey.get('rooms') ?? '', /\(none\)\s+\[default\]$/);
  });

  it('a config file gives the chat its name and port', async () => {
    const config = path.join(dir, 'run.json');
    fs.writeFileSync(config, JSON.stringify({ name: 'Configured', port: 'auto', host: '127.0.0.1', ip: '127.0.0.1' }));
    const result = await runCli(['--json'], { env: { ...ENV, P2PCHAT_CONFIG: config }, input: '/peers\n' });
    assert.equal(result.code, 0, result.stderr);
    const listening = JSON.parse(result.stdout.split('\n')[0] ?? '{}') as { type: string; ip: string };
    assert.deepEqual([listening.type, listening.ip], ['listening', '127.0.0.1']);
  });
});

describe('a bad config file or variable: exit 2, one line, nothing started', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['syntax', '{"name": "A",}', /^p2pchat: config file \S+: not valid JSON at line 1, column 14: /],
    ['unknown key', '{"nmae": "A"}', /^p2pchat: config file \S+: unknown key "nmae"; did you mean "name"\?\n$/],
    ['bad value', '{"verify": "maybe"}', /^p2pchat: config file \S+: key "verify": verify "maybe" is not allowed\. Allowed choices are off, warn, strict\.\n$/],
    ['wrong type', '{"maxPeers": true}', /^p2pchat: config file \S+: key "maxPeers" must be a string or a number, not boolean true\n$/],
  ];
  for (const [what, content, pattern] of cases) {
    it(what, async () => {
      const config = path.join(dir, `bad-${what.replace(/\s/g, '-')}.json`);
      fs.writeFileSync(config, content);
      const result = await runCli(['--config', config, '--json', '--name', 'A', '--port', 'auto'], { env: ENV });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    });
  }

  it('a missing --config file', async () => {
    const result = await runCli(['--config', path.join(dir, 'nope.json'), '--json', '--name', 'A', '--port', 'auto'], { env: ENV });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^p2pchat: config file \S+nope\.json: cannot read it \(ENOENT\)\n$/);
  });

  it('a bad environment variable', async () => {
    const result = await runCli(['--json', '--name', 'A'], { env: { ...ENV, P2PCHAT_PORT: 'ninety' } });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'p2pchat: environment variable P2PCHAT_PORT: port "ninety" is not a number; use 1 to 65535, or auto.\n');
  });
});
