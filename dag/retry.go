package dag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Retry is a Task step's retry of a throttled Lambda invoke: the fields of the Amazon States
// Language retrier that matches Lambda.TooManyRequestsException ("Handling errors in Step
// Functions workflows", https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
// Retry k (k = 1, 2, ..., MaxAttempts) comes min(Interval x BackoffRate^(k-1), MaxDelay) after
// the previous failure (MaxDelay 0: no cap); with Jitter "FULL" the wait is drawn uniformly
// between 0 and that. A step without one leaves the platform's at_concurrency_limit to decide.
type Retry struct {
	Interval    float64 `json:"interval_s"`            // IntervalSeconds; default 1
	BackoffRate float64 `json:"backoff_rate"`          // BackoffRate, >= 1; default 2
	MaxAttempts int     `json:"max_attempts"`          // MaxAttempts; default 3; 0: never retry
	MaxDelay    float64 `json:"max_delay_s,omitempty"` // MaxDelaySeconds; 0: no cap
	Jitter      string  `json:"jitter,omitempty"`      // JitterStrategy: "" or NONE, or FULL
}

// The ASL retrier's defaults (IntervalSeconds, BackoffRate, MaxAttempts), from the same page.
const (
	DefaultRetryInterval    = 1
	DefaultRetryBackoffRate = 2.0
	DefaultRetryMaxAttempts = 3
)

// MaxRetryAttempts bounds max_attempts: the ASL's own maximum of MaxAttempts (99999999).
const MaxRetryAttempts = 99_999_999

// MinRetryInterval bounds interval_s and max_delay_s from below: 1 ms. The ASL takes whole seconds
// (IntervalSeconds >= 1); a workflow file may give less, but a throttled invocation retries once
// per wait, so waits of nanoseconds made up to max_attempts retries per invocation in an instant of
// simulated time (a chatbot at the limit with interval_s 1e-9 ran for minutes without ending). At
// 1 ms a waiting invocation retries at most 1,000 times a simulated second.
const MinRetryInterval = 1e-3

// JitterFull is the JitterStrategy that draws each wait uniformly below its backoff.
const JitterFull = "FULL"

// DefaultRetry is a retrier with the ASL's defaults.
func DefaultRetry() Retry {
	return Retry{Interval: DefaultRetryInterval, BackoffRate: DefaultRetryBackoffRate, MaxAttempts: DefaultRetryMaxAttempts}
}

// Delay is the wait before retry k (1-based), before any jitter.
func (r *Retry) Delay(k int) float64 {
	d := r.Interval * math.Pow(r.BackoffRate, float64(k-1))
	if r.MaxDelay > 0 && !(d <= r.MaxDelay) {
		d = r.MaxDelay
	}
	return d
}

// validate reports each problem of r with where (the step's path, a fmt.Stringer) as its prefix.
func (r *Retry) validate(where fmt.Stringer, add func(string, ...any)) {
	pos := func(x float64) bool {
		return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= MinRetryInterval && x <= MaxSeconds
	}
	if !pos(r.Interval) {
		add("%s.retry.interval_s = %v, want seconds from %g (MinRetryInterval: a retry storm otherwise) to %g", where, r.Interval, MinRetryInterval, float64(MaxSeconds))
	}
	if math.IsNaN(r.BackoffRate) || r.BackoffRate < 1 || r.BackoffRate > MaxFactor {
		add("%s.retry.backoff_rate = %v, want a number from 1 to %g (as the ASL's BackoffRate, >= 1)", where, r.BackoffRate, float64(MaxFactor))
	}
	if r.MaxAttempts < 0 || r.MaxAttempts > MaxRetryAttempts {
		add("%s.retry.max_attempts = %d, want 0..%d (0: never retry)", where, r.MaxAttempts, MaxRetryAttempts)
	}
	if r.MaxDelay != 0 && !pos(r.MaxDelay) {
		add("%s.retry.max_delay_s = %v, want 0 (no cap) or seconds from %g to %g", where, r.MaxDelay, MinRetryInterval, float64(MaxSeconds))
	}
	switch r.Jitter {
	case "", "NONE", JitterFull:
	default:
		add("%s.retry.jitter = %q, want NONE or FULL", where, r.Jitter)
	}
}

// retryFields is Retry without its JSON method.
type retryFields Retry

// UnmarshalJSON decodes a Retry, starting from the ASL's defaults, so a field left out has the
// default a Step Functions retrier gives it; unknown fields are errors.
func (r *Retry) UnmarshalJSON(b []byte) error {
	f := retryFields(DefaultRetry())
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("retry: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	*r = Retry(f)
	return nil
}
