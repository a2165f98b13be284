#!/bin/sh
# The C sources keep the mechanical rules of the house style
# (build-aux/style-check): 80 columns, tab indentation, no trailing space.
set -eu
cd "$top_srcdir"
LC_ALL=C sh build-aux/style-check lib/*.[ch] src/*/*.[ch] tests/*/*.[ch] \
    fuzz/*.c bench/*.[ch]
echo "style: C sources keep 80 columns, tabs, no trailing space"
