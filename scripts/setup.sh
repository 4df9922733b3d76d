#!/usr/bin/env bash
# Sets up everything the kit needs on a fresh machine with Python 3.11 and pip:
# a virtual environment in .venv with the pinned requirements (Dask and psycopg
# among them), and the system programs the kit drives (bubblewrap for the
# grading sandbox, Debian's chromium for the browser tests, PostgreSQL's
# server for the tests of a PostgreSQL gradebook), and JupyterHub's proxy,
# configurable-http-proxy, from npm into node_modules/ (package.json pins it;
# Node.js and npm from Debian when missing). Safe to run again: it only adds
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
echo "[setup] installing pinned requirements"
.venv/bin/python -m pip install --quiet -r requirements.txt
.venv/bin/python -m pip install --quiet --no-deps -e .

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# PostgreSQL's server programs, for the tests of a PostgreSQL gradebook (tests/pg_server.py starts a
# throwaway server); Debian keeps them off PATH, in /usr/lib/postgresql/<version>/bin.
if ! { command -v initdb && command -v pg_ctl; } >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  missing+=(postgresql)
fi
# JupyterHub's proxy (coursekit hub) is a Node.js program: it needs Node 20 or later and npm.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[setup] installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    echo "[setup] installing system packages with sudo: ${missing[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "[setup] missing system packages: ${missing[*]}" >&2
    echo "[setup] install them with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
if [ ! -x node_modules/.bin/configurable-http-proxy ]; then
  echo "[setup] installing JupyterHub's proxy, configurable-http-proxy, from npm (package-lock.json -> node_modules/)"
  node -e 'process.exit(Number(+process.versions.node.split(".")[0] < 20))' ||
    { echo "[setup] configurable-http-proxy needs Node.js 20 or later; this is $(node --version)" >&2; exit 1; }
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
echo "[setup] installing the grading sandbox kernelspec (cnn-sandbox)"
.venv/bin/python -m coursekit.grading.sandbox --install >/dev/null
echo "[setup] installing JupyterLab's stylesheet for right-to-left prose (coursekit.lab_style)"
.venv/bin/python -m coursekit.lab_style --install >/dev/null
echo "[setup] ready: .venv/bin/coursekit --help"
