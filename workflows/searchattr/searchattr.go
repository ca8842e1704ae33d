// Package searchattr names Steadfast's typed search attributes, the one
// place their names and types are written. The workflows set and upsert
// them (workflows/search_attributes.go); the dev servers of the demo and
// the tests register them with Args, a real cluster with Register (README
// "Search attributes"). It imports only the Temporal SDK so tests' helpers
// can register attributes without importing the workflows.
package searchattr

import (
	"context"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// The keys. Register them on a namespace before a worker with this code
// runs there: a start or an upsert naming an attribute the namespace does
// not know fails the workflow task until it does.
var (
	Engagement   = temporal.NewSearchAttributeKeyKeyword("Engagement")
	Client       = temporal.NewSearchAttributeKeyKeyword("Client")
	Phase        = temporal.NewSearchAttributeKeyKeyword("Phase")
	Framework    = temporal.NewSearchAttributeKeyKeywordList("Framework")
	QuestionKind = temporal.NewSearchAttributeKeyKeyword("QuestionKind")
	Addressee    = temporal.NewSearchAttributeKeyKeyword("Addressee")
	// Rung is how many rungs of the escalation ladder a question has
	// climbed: 0 when asked, then one per reminder, lead, sponsor, expiry.
	Rung = temporal.NewSearchAttributeKeyInt64("Rung")
)

// All is every attribute with its indexed type, in a fixed order.
func All() []Def {
	return []Def{
		{Engagement.GetName(), enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		{Client.GetName(), enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		{Phase.GetName(), enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		{Framework.GetName(), enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST},
		{QuestionKind.GetName(), enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		{Addressee.GetName(), enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		{Rung.GetName(), enumspb.INDEXED_VALUE_TYPE_INT},
	}
}

// Def is one attribute's name and type.
type Def struct {
	Name string
	Type enumspb.IndexedValueType
}

// CLIType is the type as `temporal server start-dev --search-attribute`
// and `temporal operator search-attribute create --type` spell it.
func (d Def) CLIType() string {
	switch d.Type {
	case enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST:
		return "KeywordList"
	case enumspb.INDEXED_VALUE_TYPE_INT:
		return "Int"
	}
	return "Keyword"
}

// Args are `temporal server start-dev` arguments registering every
// attribute on the dev server's namespace.
func Args() []string {
	var out []string
	for _, d := range All() {
		out = append(out, "--search-attribute", d.Name+"="+d.CLIType())
	}
	return out
}

// Register adds the attributes the namespace lacks through the operator
// API (a self-hosted cluster; Temporal Cloud registers them in its console
// or with tcld). An attribute already registered with the same type is
// left alone; with another type it is an error, since the workflows'
// values would be refused.
func Register(ctx context.Context, c client.Client, namespace string) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of %s: %w", namespace, err)
	}
	add := map[string]enumspb.IndexedValueType{}
	for _, d := range All() {
		if t, ok := have.GetCustomAttributes()[d.Name]; ok {
			if t != d.Type {
				return fmt.Errorf("search attribute %s is registered on %s as %s, Steadfast needs %s", d.Name, namespace, t, d.Type)
			}
			continue
		}
		add[d.Name] = d.Type
	}
	if len(add) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: add})
	if err != nil {
		return fmt.Errorf("register search attributes on %s: %w", namespace, err)
	}
	return nil
}

// Ensure registers the attributes (Register) and waits until a visibility
// query may name them all: the frontend learns of new attributes from its
// namespace cache, and a workflow started before then with one of them is
// refused.
func Ensure(ctx context.Context, c client.Client, namespace string) error {
	if err := Register(ctx, c, namespace); err != nil {
		return err
	}
	var terms []string
	for _, d := range All() {
		terms = append(terms, d.Name+" IS NULL")
	}
	query := strings.Join(terms, " AND ")
	for {
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: query})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("search attributes on %s never became usable: %w", namespace, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
