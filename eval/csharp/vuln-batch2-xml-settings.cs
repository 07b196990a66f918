using System.Xml;

public static class ImportSettings
{
    public static XmlReader Open(Stream s)
    {
        var settings = new XmlReaderSettings();
        settings.DtdProcessing = DtdProcessing.Parse;
        settings.XmlResolver = new XmlUrlResolver();
        return XmlReader.Create(s, settings);
    }
}
