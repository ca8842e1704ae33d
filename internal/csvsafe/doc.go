// Package csvsafe is the one CSV writer Steadfast uses. It is encoding/csv
// with every cell passed through Cell first, so a value a person typed (an
// audit request's description, an answer's note, a Jira summary) cannot
// become a formula when an auditor opens the file in a spreadsheet.
//
// The rule is OWASP's for CSV injection: a cell that begins with '=', '+',
// '-', '@', a tab or a carriage return is prefixed with a single quote,
// which spreadsheets read as "this cell is text". Three choices go beyond
// the letter of that rule, each to keep the rule from being sidestepped or
// from breaking honest data:
//
//   - Leading spaces are looked through: " =HYPERLINK(...)" is neutralised
//     too, because some spreadsheet imports trim leading blanks.
//   - The full-width forms of the four signs (U+FF1D '＝', U+FF0B '＋',
//     U+FF0D '－', U+FF20 '＠') count as the signs, as some spreadsheets in
//     East Asian locales accept them as formula starters.
//   - A cell that is exactly a decimal number ("-3", "+1.5", "-2e-4") is
//     left alone: a number cannot run anything, and prefixing it would turn
//     every negative count into text. Anything else that starts with a sign
//     ("-1+2", "-A1", "+cmd|...") is neutralised.
//
// The quote is visible in the file: a program that reads the CSV back sees
// "'=x" for a cell that was "=x". That is the price of a file a spreadsheet
// opens safely; the JSON beside every CSV Steadfast writes carries the
// values unchanged.
package csvsafe
