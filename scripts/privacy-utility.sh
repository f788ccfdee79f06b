#!/usr/bin/env bash
# The utility cost of the wellbeing noise on the demo network (docs/privacy.md, "Noise"):
# how far the released weekly mean falls from the true one, for groups of 8 and of 12.
# It runs api/examples/privacy_utility.rs, which loads the demo into a throw-away SQLite file
# and releases every closed week many times through the same functions the freeze uses, with
# a seeded generator. A debug build is enough: this measures error, not time.
#
# Usage: scripts/privacy-utility.sh [DRAWS] [SEED]   (defaults 2000 and 15)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet -p canopy-api --example privacy_utility -- "${1:-2000}" "${2:-15}"
cargo run --quiet -p canopy-api --example rating_utility -- "${1:-2000}" "${2:-15}"
