// corgi-expect: go-libxml2-external-entities
package importer

import (
	"io"

	"github.com/lestrrat-go/libxml2/parser"
)

func parseInvoice(body io.Reader) error {
	p := parser.New(parser.XMLParseNoEnt)
	doc, err := p.ParseReader(body)
	if err != nil {
		return err
	}
	defer doc.Free()
	return nil
}
