package shareddata

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// deriveCSV writes one pair of columns of the first sheet of an .xlsx workbook as CSV, the way
// the CSVs of ../shared/data/azure-dag-structure were made: the header line, then every row from
// the third on (the first two hold a title and column names) whose two cells are both numbers,
// each value exactly as the workbook stores it, lines ending in CRLF.
func deriveCSV(xlsx []byte, cols [2]string, header string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		return nil, err
	}
	zf, err := zr.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, err
	}
	defer zf.Close()
	type cell struct {
		Ref  string `xml:"r,attr"`
		Type string `xml:"t,attr"`
		V    string `xml:"v"`
	}
	type row struct {
		N     int    `xml:"r,attr"`
		Cells []cell `xml:"c"`
	}
	var b bytes.Buffer
	b.WriteString(header + "\r\n")
	d := xml.NewDecoder(zf)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("sheet1.xml: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "row" {
			continue
		}
		var r row
		if err := d.DecodeElement(&r, &se); err != nil {
			return nil, fmt.Errorf("sheet1.xml: %w", err)
		}
		if r.N < 3 {
			continue
		}
		var vals [2]string
		for _, c := range r.Cells {
			for i, col := range cols {
				if c.Type == "" && c.V != "" && strings.TrimRight(c.Ref, "0123456789") == col {
					vals[i] = c.V
				}
			}
		}
		if vals[0] != "" && vals[1] != "" {
			b.WriteString(vals[0] + "," + vals[1] + "\r\n")
		}
	}
	return b.Bytes(), nil
}
