package loadgen

import (
	"strings"
	"testing"
	"time"
)

// TestValidateZeros: a zero wait, share or slack takes its default, unless
// KeepZeros says the zero was meant.
func TestValidateZeros(t *testing.T) {
	tests := []struct {
		name      string
		keepZeros bool
		want      Config
	}{
		{name: "zero takes the default", want: Config{VerifyWait: DefaultVerifyWait,
			MaxUnreceived: DefaultMaxUnreceived, DurationSlack: DefaultDurationSlack}},
		{name: "zero kept", keepZeros: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Target: "127.0.0.1:5060", KeepZeros: tt.keepZeros}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if c.VerifyWait != tt.want.VerifyWait || c.MaxUnreceived != tt.want.MaxUnreceived ||
				c.DurationSlack != tt.want.DurationSlack {
				t.Errorf("verify wait %s, max unreceived %v, duration slack %s; want %s, %v, %s",
					c.VerifyWait, c.MaxUnreceived, c.DurationSlack,
					tt.want.VerifyWait, tt.want.MaxUnreceived, tt.want.DurationSlack)
			}
		})
	}
	c := Config{Target: "127.0.0.1:5060", KeepZeros: true, VerifyWait: 5 * time.Second}
	if err := c.Validate(); err != nil || c.VerifyWait != 5*time.Second {
		t.Errorf("Validate = %v, verify wait %s; want 5s kept", err, c.VerifyWait)
	}
}

func TestValidateMaxLoss(t *testing.T) {
	tests := []struct {
		name    string
		maxLoss float64
		want    string
	}{
		{name: "none", maxLoss: 0},
		{name: "some", maxLoss: 0.05},
		{name: "all", maxLoss: 1},
		{name: "negative", maxLoss: -0.01, want: "max loss -0.01: want a share from 0 to 1"},
		{name: "a percent given as a share", maxLoss: 5, want: "max loss 5: want a share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Target: "127.0.0.1:5060", MaxLoss: tt.maxLoss}
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want it to say %q", err, tt.want)
			}
		})
	}
}
