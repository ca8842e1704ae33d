package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATEs of the constraint violations the store reports as bad input.
const (
	sqlstateCheckViolation   = "23514"
	sqlstateNotNullViolation = "23502"
)

// refused turns a check or not-null violation on table into sentinel with
// what the constraint protects, from problems (constraint name → what the
// refused row lacks). Other errors return unchanged, so the caller wraps
// them as usual. The rules themselves live in compliance; the table holds
// them for every writer, and this only says which one was broken.
func refused(err error, table string, problems map[string]string, sentinel error, subject string) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.TableName != table ||
		(pgErr.Code != sqlstateCheckViolation && pgErr.Code != sqlstateNotNullViolation) {
		return err
	}
	problem, ok := problems[pgErr.ConstraintName]
	if !ok {
		problem = pgErr.Message
	}
	return fmt.Errorf("%w %s: %s", sentinel, subject, problem)
}
