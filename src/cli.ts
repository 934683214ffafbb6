#!/usr/bin/env node
// experiment-health: the command line over the same engine as the extension.
console.log('experiment-health: not implemented yet');
