package dag

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestImportRetry: a Task's Retry becomes the step's retry of a throttled invoke. The first
// retrier that matches the throttle (Lambda.TooManyRequestsException, States.ALL or
// States.TaskFailed) wins, in order; fields it leaves out take the ASL defaults (1 s, 2.0, 3);
// a Retry for other errors only (Lambda.ServiceException) gives none.
func TestImportRetry(t *testing.T) {
	asl := `{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"R","Next":"B","Retry":[
			{"ErrorEquals":["Lambda.ServiceException"],"IntervalSeconds":9},
			{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":2,"MaxDelaySeconds":5,"JitterStrategy":"FULL"},
			{"ErrorEquals":["States.ALL"],"IntervalSeconds":7}]},
		"B":{"Type":"Task","Resource":"R","Next":"C","Retry":[{"ErrorEquals":["States.ALL"]}]},
		"C":{"Type":"Task","Resource":"R","Next":"D","Retry":[{"ErrorEquals":["States.TaskFailed"],"MaxAttempts":0}]},
		"D":{"Type":"Task","Resource":"R","Next":"E","Retry":[{"ErrorEquals":["Lambda.ServiceException","Lambda.SdkClientException"]}]},
		"E":{"Type":"Task","Resource":"R","End":true}}}`
	side := `{"functions":{"R":{"min_memory_mb":128,"serial_work_s":1,"threads":1}}}`
	w, err := ParseASL("t.asl.json", []byte(asl), "t.functions.json", []byte(side))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*Retry{
		"A": {Interval: 2, BackoffRate: 3, MaxAttempts: 2, MaxDelay: 5, Jitter: JitterFull},
		"B": {Interval: 1, BackoffRate: 2, MaxAttempts: 3},
		"C": {Interval: 1, BackoffRate: 2, MaxAttempts: 0},
		"D": nil, "E": nil,
	}
	for name, r := range want {
		got := w.Step(name).Retry
		if (got == nil) != (r == nil) || got != nil && *got != *r {
			t.Errorf("%s: retry %+v, want %+v", name, got, r)
		}
	}
	// The workflow's JSON carries the retries and reads back the same.
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := ParseWorkflow("w.json", b)
	if err != nil {
		t.Fatal(err)
	}
	if got := w2.Step("A").Retry; got == nil || *got != *want["A"] {
		t.Errorf("after a JSON round trip A's retry is %+v", got)
	}
}

// TestRetryDelays: retry k waits Interval x BackoffRate^(k-1), capped by MaxDelay.
func TestRetryDelays(t *testing.T) {
	r := Retry{Interval: 2, BackoffRate: 3, MaxAttempts: 4}
	for k, want := range []float64{2, 6, 18, 54} {
		if got := r.Delay(k + 1); got != want {
			t.Errorf("delay %d = %v, want %v", k+1, got, want)
		}
	}
	r.MaxDelay = 10
	if got := r.Delay(3); got != 10 {
		t.Errorf("capped delay 3 = %v, want 10", got)
	}
}

// TestRetryJSON: a retry in a workflow file takes the ASL defaults for what it leaves out; bad
// values and a retry on a non-task step are errors naming the field.
func TestRetryJSON(t *testing.T) {
	wf := func(step string) string {
		return `{"name":"w","functions":[{"name":"F","min_memory_mb":128,"serial_work_s":1,"parallel_work_s":0,"threads":1,
			"input_bytes":0,"output_bytes":0,"init_s":0}],"steps":[` + step + `]}`
	}
	w, err := ParseWorkflow("w.json", []byte(wf(`{"name":"S","task":"F","retry":{"interval_s":0.5}}`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := *w.Steps[0].Retry; got != (Retry{Interval: 0.5, BackoffRate: 2, MaxAttempts: 3}) {
		t.Errorf("retry %+v, want interval 0.5 and the defaults", got)
	}
	for step, want := range map[string]string{
		`{"name":"S","task":"F","retry":{"interval_s":0}}`:     "retry.interval_s = 0",
		`{"name":"S","task":"F","retry":{"interval_s":1e-9}}`:  "retry.interval_s = 1e-09, want seconds from 0.001",
		`{"name":"S","task":"F","retry":{"max_delay_s":1e-4}}`: "retry.max_delay_s = 0.0001",
		`{"name":"S","task":"F","retry":{"backoff_rate":0.5}}`: "retry.backoff_rate = 0.5",
		`{"name":"S","task":"F","retry":{"max_attempts":-1}}`:  "retry.max_attempts = -1",
		`{"name":"S","task":"F","retry":{"max_delay_s":-3}}`:   "retry.max_delay_s = -3",
		`{"name":"S","task":"F","retry":{"jitter":"HALF"}}`:    `retry.jitter = "HALF"`,
		`{"name":"S","task":"F","retry":{"interval":1}}`:       "interval",
		`{"name":"P","pass":true,"retry":{}}`:                  "retry on a pass step",
	} {
		_, err := ParseWorkflow("w.json", []byte(wf(step)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", step, err, want)
		}
	}
}

// TestImportRetryErrors: a retrier's bad fields are reported at their JSON path.
func TestImportRetryErrors(t *testing.T) {
	asl := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"R","End":true,"Retry":[
		{"ErrorEquals":["States.ALL"],"IntervalSeconds":0,"BackoffRate":0.5,"JitterStrategy":"SOME"}]}}}`
	side := `{"functions":{"R":{"min_memory_mb":128,"serial_work_s":1,"threads":1}}}`
	_, err := ParseASL("t.asl.json", []byte(asl), "t.functions.json", []byte(side))
	for _, want := range []string{"States.A.Retry[0].IntervalSeconds", "States.A.Retry[0].BackoffRate: 0.5, want a number from 1 to 1e+09", "States.A.Retry[0].JitterStrategy"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one naming %s", err, want)
		}
	}
	// 1e300 is >= 1: the limit is what it is above. 1e400 is a number out of float64's range, and
	// true no run-time expression.
	for raw, want := range map[string]string{
		`"BackoffRate":1e300`:     "BackoffRate: 1e300, want a number from 1 to 1e+09",
		`"MaxAttempts":1e400`:     "MaxAttempts: 1e400, want a whole number from 0 to 10^9",
		`"IntervalSeconds":true`:  "IntervalSeconds: want a number, got true",
		`"IntervalSeconds":"$.x"`: "cannot be imported: write the number",
	} {
		asl := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"R","End":true,"Retry":[{"ErrorEquals":["States.ALL"],` + raw + `}]}}}`
		_, err := ParseASL("t.asl.json", []byte(asl), "t.functions.json", []byte(side))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(raw, "true") && strings.Contains(err.Error(), "run time") {
			t.Errorf("%s: error %v, want %q", raw, err, want)
		}
	}
}
