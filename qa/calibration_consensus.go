package qa

import (
	"cmp"
	"math"
	"slices"
)

// naKey stands for an N/A answer where answers are counted or compared.
const naKey = "n/a"

// answerKey is what two answers are compared by: the value, or naKey for
// N/A; empty when there is no answer.
func answerKey(a Answer) string {
	if a.NA {
		return naKey
	}
	return a.Value
}

// keyAnswer is the answer an answerKey stands for.
func keyAnswer(key string) Answer {
	if key == naKey {
		return Answer{NA: true}
	}
	return Answer{Value: key}
}

// consensusAnswer returns the group's answer to q, as an answerKey, and
// whether it settled a tie; empty when nobody answered.
//
// The consensus is the answer given most often, N/A counting as an answer.
// A tie is settled, in order, by:
//
//  1. an answer over N/A: an answer says something about the call, N/A
//     only that the question did not apply;
//  2. the answer whose share of the question's marks is nearest the mean
//     share of all the answers given (N/A aside): on a scale split between
//     2 and 4 with a 3 among the others, the answer nearer the group's
//     centre;
//  3. the answer earning less: a split group does not award the benefit of
//     the doubt before discussing it;
//  4. the option listed first in the form.
//
// Tied questions are flagged in the comparison so that the discussion
// settles them.
func consensusAnswer(q *FormQuestion, answers []Answer) (string, bool) {
	counts := map[string]int{}
	var shares []float64
	for _, a := range answers {
		if !a.answered() {
			continue
		}
		counts[answerKey(a)]++
		if f, ok := valueFraction(q, a.Value); ok && !a.NA {
			shares = append(shares, f)
		}
	}
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	var modal []string
	for k, n := range counts {
		if n == top {
			modal = append(modal, k)
		}
	}
	switch len(modal) {
	case 0:
		return "", false
	case 1:
		return modal[0], false
	}
	modal = slices.DeleteFunc(modal, func(k string) bool { return k == naKey })
	return slices.MinFunc(modal, tieOrder(q, mean(shares))), true
}

// tieOrder orders tied answers by the rules of consensusAnswer, the one to
// pick first.
func tieOrder(q *FormQuestion, centre float64) func(a, b string) int {
	share := func(k string) float64 {
		f, _ := valueFraction(q, k)
		return f
	}
	option := func(k string) int {
		return slices.IndexFunc(q.Options, func(o AnswerOption) bool { return o.Value == k })
	}
	return func(a, b string) int {
		da, db := math.Abs(share(a)-centre), math.Abs(share(b)-centre)
		if math.Abs(da-db) > 1e-9 {
			return cmp.Compare(da, db)
		}
		if c := cmp.Compare(share(a), share(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(option(a), option(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
}

// mean is the mean of xs, 0 for none.
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
