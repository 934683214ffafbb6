declare module 'sql.js/dist/sql-wasm-debug.js' {
  import initSqlJs = require('sql.js');
  export = initSqlJs;
}
