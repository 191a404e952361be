package ui

import (
	"fmt"
	"strings"
	"testing"
)

// TestWebCalibrationCallLinksBack: the call page of a participant's
// calibration evaluation says so and links back to the session; the same
// call scored outside calibration does not.
func TestWebCalibrationCallLinksBack(t *testing.T) {
	f := newCalWebFixture(t)
	cs := f.open(t)
	rita := f.signIn(t, "rita")
	_, page := rita.get(t, fmt.Sprintf("/calls/%s?evaluation=%d", f.callID, calEvalOf(t, cs, f.reviewer.ID)))
	if want := fmt.Sprintf(`href="/calibration/%d" id="back-to-session"`, cs.ID); !strings.Contains(page, want) {
		t.Errorf("the calibration evaluation's call page lacks %q", want)
	}
	_, page = f.signIn(t, "maria").get(t, "/calls/"+f.callID)
	if strings.Contains(page, `id="back-to-session"`) {
		t.Error("a manager with no evaluation of the call is sent to a session")
	}
}
