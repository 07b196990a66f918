using System.Xml;

public static class ImportSettings
{
    public static XmlReader Open(Stream s)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        return XmlReader.Create(s, settings);
    }
}
