package wisefuse

import (
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/records"
)

// TestRecordCheckItems: a record's item past its Map's items (or any item outside a Map) is named
// as such; it was reported as a bundle ("item 1000000000 is in bundle 10; profile unbundled
// plans"). And a record whose phases take longer than it lasted is refused.
func TestRecordCheckItems(t *testing.T) {
	w, _ := apps.Lookup("chatbot")
	check := RecordCheck(w)
	for _, tc := range []struct {
		in   records.Invocation
		want string
	}{
		{records.Invocation{Step: "TrainIntentClassifier", Function: "TrainIntentClassifier", Item: 1e9, Bundle: 1e9}, "item 1000000000, want 0..21"},
		{records.Invocation{Step: "TrainIntentClassifier", Function: "TrainIntentClassifier", Item: -1, Bundle: -1}, "item -1, want 0..21"},
		{records.Invocation{Step: "SplitChatBot", Function: "SplitChatBot", Item: 3, Bundle: 3}, "item 3, want 0..0"},
		{records.Invocation{Step: "TrainIntentClassifier", Function: "TrainIntentClassifier", Item: 21, Bundle: 21}, ""},
		// The phases run between start and end (a compute of 1e11 s in 4.85 s was profiled).
		{records.Invocation{Step: "SplitChatBot", Function: "SplitChatBot", Start: 11.02, End: 15.87, Compute: 1e11}, "= 1e+11 s, more than end_s - start_s"},
		{records.Invocation{Step: "SplitChatBot", Function: "SplitChatBot", Start: 11.02, End: 15.87, Download: 0.85, Compute: 4}, ""},
	} {
		err := check(&tc.in)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("item %d of %s: %v, want %q", tc.in.Item, tc.in.Step, err, tc.want)
		}
	}
}
