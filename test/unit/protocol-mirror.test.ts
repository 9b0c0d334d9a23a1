// The two boundaries with Python are described once in src/protocol and mirrored once in runtime/gradlab: this test
// holds the constants of each side against the other (the worker protocol against gradlab.protocol, the run-history
// format against gradlab.runs), so a change made on one side only fails here rather than at a learner's check.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { runtimeDir } from '../../src/core/paths';
import { HISTORY_DIR, HISTORY_FORMAT_VERSION, RunEnv } from '../../src/protocol/runs';
import { DEFAULT_LIMITS, ErrorCode, ISOLATION_VARIABLE, PRELOAD_VARIABLE, PROTOCOL_VERSION, SANDBOX_CHOICES, SANDBOX_VARIABLE, WorkerMethod, WorkerNotification, type IsolationMode } from '../../src/protocol/worker';
import { testPython } from './helpers/python';

const MIRROR = `
import json, os
from gradlab import protocol, runs

def names(cls):
    return {k: v for k, v in vars(cls).items() if not k.startswith('_')}

print(json.dumps({
    'protocolVersion': protocol.PROTOCOL_VERSION,
    'methods': names(protocol.Method),
    'notifications': names(protocol.Notification),
    'errorCodes': names(protocol.ErrorCode),
    'defaultLimits': protocol.DEFAULT_LIMITS,
    'preloadVariable': getattr(protocol, 'PRELOAD_VARIABLE', None),
    'isolationVariable': getattr(protocol, 'ISOLATION_VARIABLE', None),
    'isolationModes': list(__import__('gradlab.sandbox.isolation', fromlist=['MODES']).MODES),
    'sandboxVariable': getattr(protocol, 'SANDBOX_VARIABLE', None),
    'sandboxChoices': list(__import__('gradlab.sandbox.choice', fromlist=['CHOICES']).CHOICES),
    'historyFormatVersion': runs.FORMAT_VERSION,
    'historyVariable': runs.HISTORY_ENV,
    'streamFdVariable': runs.STREAM_FD_ENV,
    'historyDir': runs.HISTORY_DIR.replace(os.sep, '/'),
}))
`;

interface Mirror {
  protocolVersion: number;
  methods: Record<string, string>;
  notifications: Record<string, string>;
  errorCodes: Record<string, string>;
  defaultLimits: Record<string, number>;
  preloadVariable: string | null;
  isolationVariable: string | null;
  isolationModes: string[];
  sandboxVariable: string | null;
  sandboxChoices: string[];
  historyFormatVersion: number;
  historyVariable: string;
  streamFdVariable: string;
  historyDir: string;
}

/** `{ BadRequest: 'bad-request' }` as Python spells its class attributes: `{ BAD_REQUEST: 'bad-request' }`. */
function pythonNames(table: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(table).map(([name, value]) => [name.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase(), value]));
}

describe('the protocol constants and their Python mirror', function () {
  this.timeout(30_000);
  let python: Mirror;
  before(() => {
    const out = execFileSync(testPython(), ['-c', MIRROR], { env: { ...process.env, PYTHONPATH: runtimeDir() }, encoding: 'utf8' });
    python = JSON.parse(out) as Mirror;
  });

  it('worker protocol: version, methods, notifications, error codes, default limits, preload, isolation and sandbox variables', () => {
    assert.equal(python.protocolVersion, PROTOCOL_VERSION);
    assert.deepEqual(python.methods, pythonNames(WorkerMethod));
    assert.deepEqual(python.notifications, pythonNames(WorkerNotification));
    assert.deepEqual(python.errorCodes, pythonNames(ErrorCode));
    assert.deepEqual(python.defaultLimits, DEFAULT_LIMITS);
    assert.equal(python.preloadVariable, PRELOAD_VARIABLE);
    assert.equal(python.isolationVariable, ISOLATION_VARIABLE);
    assert.deepEqual(python.isolationModes, ['required', 'auto', 'off'] satisfies IsolationMode[]);
    assert.equal(python.sandboxVariable, SANDBOX_VARIABLE);
    assert.deepEqual(python.sandboxChoices, [...SANDBOX_CHOICES]);
  });

  it('run history: format version, environment variables, default folder', () => {
    assert.equal(python.historyFormatVersion, HISTORY_FORMAT_VERSION);
    assert.equal(python.historyVariable, RunEnv.History);
    assert.equal(python.streamFdVariable, RunEnv.StreamFd);
    assert.equal(python.historyDir, HISTORY_DIR);
  });
});
