using System.Xml;

public class CatalogImporter
{
    public XmlDocument Load(Stream input)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
        };
        var doc = new XmlDocument { XmlResolver = null };
        using var reader = XmlReader.Create(input, settings);
        doc.Load(reader);
        return doc;
    }
}
