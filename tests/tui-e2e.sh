#!/bin/sh
echo "tui-e2e: placeholder"
