package qa

import "strings"

// sipKeys are the forms of one participant address that identities are
// compared with; an empty key matches nothing.
type sipKeys struct {
	// address is scheme:user@host, lower-case, with sips: read as sip:
	// (the same party over TLS), or tel:number.
	address string
	// user is the user part, or the number of a tel: URI.
	user string
	// ext is user reduced to its digits, when it holds nothing else but
	// a leading + and visual separators.
	ext string
}

// parseSIPAddress reads a participant's address as the sidecar holds it:
// a SIP or tel URI (RFC 3261 section 19.1, RFC 3966), possibly in
// name-addr form with a display name and angle brackets. It is lenient:
// recorders keep whatever the signalling carried, so anything it cannot
// read yields empty keys rather than an error. Escaped characters are
// compared as written, not decoded.
func parseSIPAddress(raw string) sipKeys {
	s := strings.ToLower(strings.TrimSpace(raw))
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	scheme, rest := splitScheme(s)
	switch scheme {
	case "tel":
		num, _, _ := strings.Cut(rest, ";")
		return keysOf("tel:"+num, num)
	case "sip", "sips":
		return sipURIKeys(rest)
	case "":
		if strings.Contains(rest, "@") {
			return sipURIKeys(rest)
		}
		// A bare user part, as some recorders report extensions.
		user, _, _ := strings.Cut(rest, ";")
		return keysOf("", user)
	}
	return sipKeys{}
}

// splitScheme splits "sip:..." into its scheme and the rest; a colon after
// the @ is a port, not a scheme.
func splitScheme(s string) (scheme, rest string) {
	i := strings.IndexByte(s, ':')
	if i <= 0 || (strings.Contains(s, "@") && i > strings.IndexByte(s, '@')) {
		return "", s
	}
	for _, c := range s[:i] {
		if (c < 'a' || c > 'z') && c != '+' && c != '-' && c != '.' {
			return "", s
		}
	}
	return s[:i], s[i+1:]
}

// sipURIKeys reads user@host;params?headers (the part of a SIP URI after
// its scheme).
func sipURIKeys(rest string) sipKeys {
	rest, _, _ = strings.Cut(rest, "?")
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return sipKeys{}
	}
	user, host := rest[:at], rest[at+1:]
	user, _, _ = strings.Cut(user, ":") // a password, long deprecated
	user, _, _ = strings.Cut(user, ";") // user parameters
	host, _, _ = strings.Cut(host, ";")
	host = stripPort(host)
	if user == "" || host == "" {
		return sipKeys{}
	}
	return keysOf("sip:"+user+"@"+host, user)
}

// stripPort drops ":port" from a host, minding IPv6 references.
func stripPort(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			return host[:i+1]
		}
		return host
	}
	h, _, _ := strings.Cut(host, ":")
	return h
}

func keysOf(address, user string) sipKeys {
	return sipKeys{address: address, user: user, ext: extensionDigits(user)}
}

// extensionDigits returns user's digits when user is a number, written
// with an optional leading + and the visual separators of RFC 3966, and
// "" otherwise.
func extensionDigits(user string) string {
	var b strings.Builder
	for i, c := range user {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0, c == '-', c == '.', c == '(', c == ')', c == ' ':
		default:
			return ""
		}
	}
	if b.Len() > maxExtensionDigits {
		return ""
	}
	return b.String()
}
