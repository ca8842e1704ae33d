package metrics

// Metric and attribute names in one place. Prometheus sees them with dots
// turned into underscores and counters suffixed _total, e.g.
// steadfast_questions_opened_total{kind="evidence"}.
const (
	meterName = "github.com/steadfast-grc/steadfast"

	nameQuestionsOpened   = "steadfast.questions.opened"
	nameQuestionsAnswered = "steadfast.questions.answered"
	nameLadderSteps       = "steadfast.escalations.sent"
	nameEscalations       = "steadfast.problems.escalated"
	nameCalls             = "steadfast.integration.calls"
	nameCallErrors        = "steadfast.integration.errors"
	nameCallDuration      = "steadfast.integration.duration"
	nameWebhooksRefused   = "steadfast.webhooks.refused"

	attrKind    = "kind"
	attrVia     = "via"
	attrRung    = "rung"
	attrService = "service"
	attrOp      = "operation"
	attrCode    = "code"
	attrSource  = "source"

	// ServiceSlack and ServiceJira label integration calls.
	ServiceSlack = "slack"
	ServiceJira  = "jira"
)
