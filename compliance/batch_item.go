package compliance

import "strings"

// BatchItemSeparator joins an owner batch's workflow ID and one item's
// prompt key into the item's prompt ID:
// prompt/ENGAGEMENT/batch/checklist-2027-Q1/priya@x/item/review/ACC-04/2027-Q1.
// Each item is a question of its own (its own row, answer, deadline and
// ladder) that lives in its batch's workflow.
const BatchItemSeparator = "/item/"

// BatchItemID is the prompt ID of the item with key in the batch workflow.
func BatchItemID(batchWorkflowID, key string) string {
	return batchWorkflowID + BatchItemSeparator + key
}

// BatchOfItem returns the workflow that holds a batch item's prompt ID,
// and false for a prompt that is a workflow of its own.
func BatchOfItem(promptID string) (string, bool) {
	wid, _, ok := strings.Cut(promptID, BatchItemSeparator)
	return wid, ok && wid != ""
}
