package recorder

import "earshot/storage"

// A party on hold shows in the signalling as their stream marked inactive
// (or send-only from our side's view: not sending to us) while the other
// party's stream stays active. When every stream goes inactive the SRC is
// pausing the recording instead (RFC 7866), which Pause records; so holds
// are noted only while some stream is still active.

// heldLocked returns, per stream index, whether the stream is held now.
func (c *Call) heldLocked() []bool {
	held := make([]bool, len(c.streams))
	for i, s := range c.streams {
		held[i] = s != nil && !s.active.Load()
	}
	return held
}

// noteHoldsLocked compares the streams with their state before an update
// (before) and opens or closes hold spans by channel.
func (c *Call) noteHoldsLocked(before []bool) {
	now := c.m.now().Sub(c.t0).Milliseconds()
	after := c.heldLocked()
	anyActive := false
	for i, s := range c.streams {
		anyActive = anyActive || s != nil && !after[i]
	}
	for i, s := range c.streams {
		if s == nil || i >= len(before) {
			continue
		}
		ch := c.state.Streams[i].Channel
		switch {
		case after[i] && !before[i] && anyActive:
			c.state.Holds = append(c.state.Holds, storage.Hold{Channel: ch, StartMS: now, EndMS: -1})
		case !after[i] || !anyActive:
			c.closeHoldLocked(ch, now)
		}
	}
}

// closeHoldLocked ends the open hold of a channel, if any.
func (c *Call) closeHoldLocked(ch int, at int64) {
	for i := range c.state.Holds {
		if h := &c.state.Holds[i]; h.Channel == ch && h.EndMS < 0 {
			h.EndMS = at
		}
	}
}

// endHoldsLocked ends every open hold when the call ends.
func (c *Call) endHoldsLocked(at int64) {
	for i := range c.state.Holds {
		if c.state.Holds[i].EndMS < 0 {
			c.state.Holds[i].EndMS = at
		}
	}
}
