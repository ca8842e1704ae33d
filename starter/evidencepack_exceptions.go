package main

import "github.com/steadfast-grc/steadfast/internal/evidencepack"

// The accepted exceptions' files and part live in internal/evidencepack.
const (
	packExceptionsJSON = evidencepack.ExceptionsJSON
	packExceptionsCSV  = evidencepack.ExceptionsCSV
)

var exceptionsPart = evidencepack.ExceptionsPart
