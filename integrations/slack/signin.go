package slack

import (
	"fmt"
	"time"

	goslack "github.com/slack-go/slack"
)

// SignInLinkMessage is the DM carrying a person's single-use sign-in link
// to the web. The link is a capability: it goes to the person's own DM and
// nowhere else, and the message says what to do if they did not ask.
func SignInLinkMessage(engagement, link string, expires time.Time) Message {
	until := expires.UTC().Format("15:04 UTC")
	text := fmt.Sprintf("Your sign-in link to Steadfast (%s): %s — it works once, until %s.", esc(engagement), link, until)
	body := fmt.Sprintf("*Sign in to Steadfast* for %s\n<%s|Open your sign-in link>. It works once, until %s.\nIf you did not ask for it, ignore this message: nobody else can use it from here.",
		esc(engagement), link, until)
	return Message{Text: text, Blocks: []goslack.Block{
		goslack.NewSectionBlock(goslack.NewTextBlockObject(goslack.MarkdownType, body, false, false), nil, nil),
	}}
}
