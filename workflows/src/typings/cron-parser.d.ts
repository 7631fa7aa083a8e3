// cron-parser's index also exports a file parser that imports `fs`, which workflow code must
// not pull in; domain code imports the expression parser module directly. Its types are the
// package's own.
declare module 'cron-parser/dist/CronExpressionParser' {
  export { CronExpressionParser } from 'cron-parser';
}
