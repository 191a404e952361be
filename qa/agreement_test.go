package qa

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// ratingRows builds units-by-coders data from rows of ratings written with
// "." for a missing rating, e.g. "1 2 . 3".
func ratingRows(rows ...string) [][]*float64 {
	data := make([][]*float64, len(rows))
	for u, row := range rows {
		for _, f := range strings.Fields(row) {
			if f == "." {
				data[u] = append(data[u], nil)
				continue
			}
			var v float64
			if err := json.Unmarshal([]byte(f), &v); err != nil {
				panic(err)
			}
			data[u] = append(data[u], &v)
		}
	}
	return data
}

// krippendorffExample is the reliability data of Krippendorff, "Computing
// Krippendorff's Alpha-Reliability" (2011), section C: four observers A-D
// (columns) rating twelve units (rows), with missing values. Published:
// nominal alpha 0.743, interval alpha 0.849; unit 12 has one value and is
// not pairable, leaving n = 40 pairable values in 11 units.
var krippendorffExample = ratingRows(
	"1 1 . 1",
	"2 2 3 2",
	"3 3 3 3",
	"3 3 3 3",
	"2 2 2 2",
	"1 2 3 4",
	"4 4 4 4",
	"1 1 2 1",
	"2 2 2 2",
	". 5 5 5",
	". . 1 1",
	". 3 . .",
)

// fleissExample is the worked example of Fleiss' kappa on Wikipedia
// ("Fleiss' kappa", Worked example): 14 raters put 10 subjects in 5
// categories. Published: P̄ = 0.378, P̄e = 0.213, kappa = 0.210.
var fleissExample = [][]int{
	{0, 0, 0, 0, 14},
	{0, 2, 6, 4, 2},
	{0, 0, 3, 5, 6},
	{0, 3, 9, 2, 0},
	{2, 2, 8, 1, 1},
	{7, 7, 0, 0, 0},
	{3, 2, 6, 3, 0},
	{2, 5, 3, 2, 2},
	{6, 5, 2, 1, 0},
	{0, 2, 2, 3, 7},
}

// toThird reports whether got rounds to want at the third decimal.
func toThird(got, want float64) bool {
	return math.Round(got*1000) == math.Round(want*1000)
}

func TestKrippendorffAlphaPublishedExample(t *testing.T) {
	tests := []struct {
		name   string
		metric Metric
		want   float64
	}{
		{name: "nominal", metric: MetricNominal, want: 0.743},
		{name: "interval", metric: MetricInterval, want: 0.849},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := KrippendorffAlpha(krippendorffExample, tt.metric)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("alpha = %.5f", got.Value)
			if !toThird(got.Value, tt.want) {
				t.Errorf("alpha = %.5f, want %.3f", got.Value, tt.want)
			}
			// Units 1-11 are pairable; their 40 values make 55 pairs.
			if got.Units != 11 || got.Pairs != 55 || got.Warning != "" {
				t.Errorf("got %+v, want 11 units, 55 pairs, no warning", got)
			}
		})
	}
}

// The nominal figure in closed form, as the paper works it: n = 40 values,
// 8 disagreeing pairs in the coincidence matrix, Σ n(c)² = 384.
func TestKrippendorffAlphaNominalExact(t *testing.T) {
	got, err := KrippendorffAlpha(krippendorffExample, MetricNominal)
	if err != nil {
		t.Fatal(err)
	}
	want := 1 - 39.0*8/(40*40-384)
	if math.Abs(got.Value-want) > 1e-12 {
		t.Errorf("alpha = %.12f, want %.12f", got.Value, want)
	}
}

func TestKrippendorffAlphaEdgeCases(t *testing.T) {
	perfect := slices.Repeat([]string{"1 1 1", "2 2 .", "3 3 3", "4 . 4", "5 5 5", ". 2 2"}, 2)
	same := slices.Repeat([]string{"4 4 . 4"}, 12)
	tests := []struct {
		name        string
		data        [][]*float64
		metric      Metric
		want        float64 // NaN: undefined
		wantWarning bool
		wantUnits   int
	}{
		{name: "perfect agreement", data: ratingRows(perfect...), metric: MetricNominal,
			want: 1, wantUnits: 12},
		{name: "perfect agreement interval", data: ratingRows(perfect...), metric: MetricInterval,
			want: 1, wantUnits: 12},
		{name: "every rating the same", data: ratingRows(same...), metric: MetricNominal,
			want: math.NaN(), wantWarning: true, wantUnits: 12},
		{name: "every rating the same interval", data: ratingRows(same...), metric: MetricInterval,
			want: math.NaN(), wantWarning: true, wantUnits: 12},
		// Two units: 1,1 and 2,3. n = 4, o(1,1) = 2, o(2,3) = o(3,2) = 1;
		// nominal: 1 - 3 × 2 / (16 - 2² - 1 - 1) = 0.4.
		{name: "few units", data: ratingRows("1 1", "2 3"), metric: MetricNominal,
			want: 0.4, wantWarning: true, wantUnits: 2},
		{name: "nothing pairable", data: ratingRows("1 . .", ". 2", "3"), metric: MetricNominal,
			want: math.NaN(), wantWarning: true, wantUnits: 0},
		{name: "no data", data: nil, metric: MetricInterval,
			want: math.NaN(), wantWarning: true, wantUnits: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := KrippendorffAlpha(tt.data, tt.metric)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFigure(got.Value, tt.want) || (got.Warning != "") != tt.wantWarning ||
				got.Units != tt.wantUnits {
				t.Errorf("got %+v, want value %v, warning %v, %d units",
					got, tt.want, tt.wantWarning, tt.wantUnits)
			}
		})
	}
}

func TestKrippendorffAlphaRejects(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		data   [][]*float64
		metric Metric
	}{
		{name: "NaN rating", data: [][]*float64{{&nan, &nan}}, metric: MetricInterval},
		{name: "unknown metric", data: krippendorffExample, metric: Metric(7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := KrippendorffAlpha(tt.data, tt.metric); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestFleissKappaPublishedExample(t *testing.T) {
	got, err := FleissKappa(fleissExample)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kappa = %.5f", got.Value)
	if !toThird(got.Value, 0.210) {
		t.Errorf("kappa = %.5f, want 0.210", got.Value)
	}
	// 10 subjects with 14 ratings: 91 pairs each.
	if got.Units != 10 || got.Pairs != 910 || got.Warning != "" {
		t.Errorf("got %+v, want 10 units, 910 pairs, no warning", got)
	}
}

func TestFleissKappaEdgeCases(t *testing.T) {
	tests := []struct {
		name        string
		counts      [][]int
		want        float64 // NaN: undefined
		wantWarning bool
	}{
		{name: "perfect agreement",
			counts: slices.Repeat([][]int{{3, 0}, {0, 3}}, 5),
			want:   1},
		{name: "every rating in one category", counts: [][]int{{0, 4}, {0, 4}, {0, 4}},
			want: math.NaN(), wantWarning: true},
		// Two subjects of two ratings, one split: P̄ = 1/2, p = (1/4, 3/4),
		// P̄e = 10/16, kappa = (8/16 - 10/16) / (6/16) = -1/3.
		{name: "few subjects", counts: [][]int{{0, 2}, {1, 1}}, want: -1.0 / 3, wantWarning: true},
		{name: "one rating each", counts: [][]int{{1, 0}, {0, 1}},
			want: math.NaN(), wantWarning: true},
		{name: "no subjects", counts: nil, want: math.NaN(), wantWarning: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FleissKappa(tt.counts)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFigure(got.Value, tt.want) || (got.Warning != "") != tt.wantWarning {
				t.Errorf("got %+v, want value %v, warning %v", got, tt.want, tt.wantWarning)
			}
		})
	}
}

func TestFleissKappaRejects(t *testing.T) {
	tests := []struct {
		name    string
		counts  [][]int
		wantErr error // nil: any error
	}{
		{name: "unequal ratings per subject", counts: [][]int{{2, 1}, {1, 1}},
			wantErr: ErrUnequalRatings},
		{name: "negative count", counts: [][]int{{3, -1}, {1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FleissKappa(tt.counts)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestRawAgreement(t *testing.T) {
	// Pairs: unit 1 (1,1,2) three, one agreeing; unit 2 (3,3) one, agreeing;
	// unit 3 (4,5) one, not agreeing; unit 4 has one rating and no pair.
	mixed := ratingRows("1 1 2", "3 . 3", "4 . 5", ". 7")
	tests := []struct {
		name        string
		data        [][]*float64
		tolerance   float64
		want        float64
		wantPairs   int
		wantWarning bool
	}{
		{name: "exact", data: mixed, want: 2.0 / 5, wantPairs: 5, wantWarning: true},
		{name: "within one point", data: mixed, tolerance: 1,
			want: 1, wantPairs: 5, wantWarning: true},
		// Where alpha is undefined, raw agreement still says they agree.
		{name: "every rating the same", data: ratingRows(slices.Repeat([]string{"4 4 4"}, 10)...),
			want: 1, wantPairs: 30},
		{name: "nothing pairable", data: ratingRows("1 .", ". 2"),
			want: math.NaN(), wantWarning: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RawAgreement(tt.data, tt.tolerance)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFigure(got.Value, tt.want) || got.Pairs != tt.wantPairs ||
				(got.Warning != "") != tt.wantWarning {
				t.Errorf("got %+v, want %v over %d pairs, warning %v",
					got, tt.want, tt.wantPairs, tt.wantWarning)
			}
		})
	}
}

func TestAgreementJSON(t *testing.T) {
	tests := []struct {
		name string
		in   Agreement
		want string
	}{
		{name: "defined", in: Agreement{Value: 0.5, Pairs: 3, Units: 2},
			want: `{"pairs":3,"units":2,"value":0.5}`},
		{name: "undefined", in: Agreement{Value: math.NaN(), Units: 12, Pairs: 18, Warning: "w"},
			want: `{"pairs":18,"units":12,"warning":"w","value":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
}

// sameFigure compares agreement values closely, NaN equal to NaN.
func sameFigure(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) < 1e-9
}
