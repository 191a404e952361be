package siprec

import (
	"strings"

	"github.com/emiago/sipgo/sip"

	"earshot/storage"
)

// channelPlan says which stereo channel each m-line is recorded on, who is
// on each channel, and how that was decided (written into the sidecar).
type channelPlan struct {
	channels     []int // per m-line; -1 for a refused one
	participants []storage.Participant
	basis        string
}

// planSIPREC maps a SIPREC session's streams to channels: the calling
// party on the left, the other on the right. The calling party is the
// participant the metadata flags as calling, else the one whose address is
// the original From, else the sender of the first recorded stream. Without
// usable metadata the m-line order decides.
func planSIPREC(offer *Offer, recordable []bool, meta *Metadata) channelPlan {
	plan := planByOrder(recordable)
	if meta == nil {
		plan.basis = "m-line order (no metadata)"
		return plan
	}
	senders := make([]*Participant, len(offer.Media))
	for i, m := range offer.Media {
		if p, ok := meta.ParticipantForLabel(m.Label); ok && recordable[i] {
			senders[i] = &p
		}
	}
	caller, basis := callingParty(meta, senders)
	if caller == "" {
		plan.basis = "m-line order (metadata names no sender)"
		plan.participants = orderParticipants(senders, plan.channels)
		return plan
	}
	for i := range plan.channels {
		if plan.channels[i] < 0 || senders[i] == nil {
			continue
		}
		plan.channels[i] = 1
		if senders[i].ID == caller {
			plan.channels[i] = 0
		}
	}
	plan.basis = basis
	plan.participants = orderParticipants(senders, plan.channels)
	for i := range plan.participants {
		plan.participants[i].Role = []string{"caller", "callee"}[plan.participants[i].Channel]
	}
	return plan
}

// callingParty returns the id of the participant who placed the call.
func callingParty(meta *Metadata, senders []*Participant) (string, string) {
	for _, p := range meta.Participants {
		if p.Calling {
			return p.ID, "metadata calling-party flag"
		}
	}
	if from := sameAOR(meta.Extra["original_from"]); from != "" {
		for _, p := range meta.Participants {
			if sameAOR(p.AOR) == from {
				return p.ID, "metadata original From"
			}
		}
	}
	for _, p := range senders {
		if p != nil {
			return p.ID, "metadata sender of the first stream"
		}
	}
	return "", ""
}

// sameAOR reduces an address to scheme:user@host for comparison.
func sameAOR(a string) string {
	a = normalizeAOR(a)
	a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
	if i := strings.IndexAny(a, ";?>"); i >= 0 {
		a = a[:i]
	}
	return a
}

// planByOrder puts the first recorded m-line on the left, the second on
// the right, and any further ones alternately.
func planByOrder(recordable []bool) channelPlan {
	plan := channelPlan{channels: make([]int, len(recordable)), basis: "m-line order"}
	n := 0
	for i, ok := range recordable {
		plan.channels[i] = -1
		if ok {
			plan.channels[i] = n % 2
			n++
		}
	}
	return plan
}

// orderParticipants lists each sender once, on the channel of its stream.
func orderParticipants(senders []*Participant, channels []int) []storage.Participant {
	var out []storage.Participant
	seen := map[string]bool{}
	for i, p := range senders {
		if p == nil || channels[i] < 0 || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		out = append(out, storage.Participant{Channel: channels[i], Name: p.Name, SIPAddress: p.AOR})
	}
	return out
}

// plainParties names the parties of a forked call without metadata: the
// caller from P-Asserted-Identity or From, the callee from To. The first
// m-line is taken to carry the caller.
func plainParties(req *sip.Request) []storage.Participant {
	caller := storage.Participant{Channel: 0, Role: "caller"}
	if from := req.From(); from != nil {
		caller.Name, caller.SIPAddress = from.DisplayName, uriString(&from.Address)
	}
	if pai := req.GetHeader("P-Asserted-Identity"); pai != nil {
		name, addr := splitNameAddr(pai.Value())
		caller.SIPAddress = addr
		if name != "" {
			caller.Name = name
		}
	}
	callee := storage.Participant{Channel: 1, Role: "callee"}
	if to := req.To(); to != nil {
		callee.Name, callee.SIPAddress = to.DisplayName, uriString(&to.Address)
	}
	return []storage.Participant{caller, callee}
}

// uriString renders a URI without its parameters.
func uriString(u *sip.Uri) string {
	c := *u
	c.UriParams = nil
	c.Headers = nil
	return c.String()
}

// splitNameAddr splits `"Name" <sip:addr>` into its parts.
func splitNameAddr(v string) (string, string) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		name := strings.Trim(strings.TrimSpace(v[:i]), `"`)
		addr := v[i+1:]
		if j := strings.IndexByte(addr, '>'); j >= 0 {
			addr = addr[:j]
		}
		return name, addr
	}
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return "", v
}
