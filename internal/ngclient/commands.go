package ngclient

import (
	"context"
	"fmt"
)

// Session names one call's dialog to rtpengine: the SIP Call-ID and the
// tags of its two ends. ToTag is needed from the answer on.
type Session struct {
	CallID, FromTag, ToTag string
}

func (s Session) args(extra Dict) Dict {
	d := Dict{"call-id": s.CallID, "from-tag": s.FromTag}
	if s.ToTag != "" {
		d["to-tag"] = s.ToTag
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// Ping checks that rtpengine answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Do(ctx, "ping", nil)
	return err
}

// Offer hands rtpengine the caller's SDP and returns the SDP to send on
// to the callee, naming rtpengine's ports for it. extra holds further
// keys of the command ("record call", "flags", ...).
func (c *Client) Offer(ctx context.Context, s Session, sdp string, extra Dict) (string, error) {
	return c.sdpCommand(ctx, "offer", s, sdp, extra)
}

// Answer hands rtpengine the callee's SDP and returns the SDP to send
// back to the caller, naming rtpengine's ports for it.
func (c *Client) Answer(ctx context.Context, s Session, sdp string, extra Dict) (string, error) {
	return c.sdpCommand(ctx, "answer", s, sdp, extra)
}

func (c *Client) sdpCommand(
	ctx context.Context,
	command string,
	s Session,
	sdp string,
	extra Dict,
) (string, error) {
	args := s.args(extra)
	args["sdp"] = sdp
	reply, err := c.Do(ctx, command, args)
	if err != nil {
		return "", err
	}
	out, ok := reply["sdp"].(string)
	if !ok {
		return "", fmt.Errorf("ngclient: %s reply holds no sdp", command)
	}
	return out, nil
}

// Delete ends the call in rtpengine, which closes its ports and, when
// the call was recorded, its recording.
func (c *Client) Delete(ctx context.Context, s Session) error {
	_, err := c.Do(ctx, "delete", s.args(nil))
	return err
}
