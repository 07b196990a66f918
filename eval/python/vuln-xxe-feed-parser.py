from lxml import etree


def parse_supplier_feed(xml_bytes):
    parser = etree.XMLParser(resolve_entities=True, no_network=False)
    root = etree.fromstring(xml_bytes, parser)
    return [item.findtext("sku") for item in root.iter("item")]
