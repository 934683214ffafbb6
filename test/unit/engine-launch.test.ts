// How engine processes are started (src/core/engine/launch.ts): io_uring only where libuv deems
// the kernel safe, never over the user's own choice, never on other systems.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineEnv, kernelAtLeast } from '../../src/core/engine/launch';

test('kernelAtLeast compares release numbers, not strings', () => {
  const min = [5, 10, 186];
  assert.equal(kernelAtLeast('5.10.186-1-amd64', min), true);
  assert.equal(kernelAtLeast('5.10.185', min), false);
  assert.equal(kernelAtLeast('5.9.200', min), false, '9 < 10 though "9" > "1"');
  assert.equal(kernelAtLeast('5.15', min), true, 'a missing patch level is 0');
  assert.equal(kernelAtLeast('6.1.0-18-amd64', min), true);
  assert.equal(kernelAtLeast('4.19.300', min), false);
  assert.equal(kernelAtLeast('not-a-release', min), false);
});

test('engineEnv turns io_uring on for new Linux kernels only, and keeps what the user set', () => {
  const base = { PATH: '/usr/bin' };
  assert.deepEqual(engineEnv(base, 'linux', '6.1.0-18-amd64'), { PATH: '/usr/bin', UV_USE_IO_URING: '1' });
  assert.deepEqual(base, { PATH: '/usr/bin' }, 'the given environment is not changed');
  assert.equal(engineEnv(base, 'linux', '5.10.100').UV_USE_IO_URING, undefined, "older than libuv's floor");
  assert.equal(engineEnv(base, 'darwin', '23.1.0').UV_USE_IO_URING, undefined);
  assert.equal(engineEnv(base, 'win32', '10.0.22631').UV_USE_IO_URING, undefined);
  assert.equal(engineEnv({ ...base, UV_USE_IO_URING: '0' }, 'linux', '6.1.0').UV_USE_IO_URING, '0', "the user's choice wins");
});
