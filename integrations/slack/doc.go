// Package slack is Steadfast's Slack integration: it finds control owners by
// email, posts and updates the Block Kit messages that carry their prompts,
// opens the note/link modal, and turns clicks (over HTTP interactivity or
// Socket Mode) into Interactions for an Answerer.
//
// The package never imports workflows: whatever records an answer (a Temporal
// Update, in Steadfast) sits behind the Answerer interface. Both interactivity
// routes end in ParseInteraction and Dispatcher.Handle, so a click is handled
// the same way whichever transport delivered it.
//
// Routing lives in the Block Kit IDs (see ids.go), not in server-side state:
// any worker replica can handle any click.
package slack
