// corgi-expect: java-xxe-parser-built-unhardened
package com.example.feeds;

import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import java.io.InputStream;

public class FeedParser {
    public void parse(InputStream upload, FeedHandler handler) throws Exception {
        SAXParserFactory factory = SAXParserFactory.newInstance();
        factory.setNamespaceAware(true);
        SAXParser parser = factory.newSAXParser();
        parser.parse(upload, handler);
    }
}
