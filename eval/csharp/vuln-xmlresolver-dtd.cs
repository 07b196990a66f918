using System.Xml;

public class CatalogImporter
{
    public XmlDocument Load(Stream input)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Parse,
            XmlResolver = new XmlUrlResolver(),
        };
        var doc = new XmlDocument();
        using var reader = XmlReader.Create(input, settings);
        doc.Load(reader);
        return doc;
    }
}
