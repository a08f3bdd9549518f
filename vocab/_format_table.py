"""The project's own facts about EU file types: media type, file extensions, common names, MQA classes.

The EU file-type table gives codes and labels only; what a portal sends ("ESRI Shapefile", ".xlsx",
"WMS") and how data.europa.eu's metadata quality assessment (MQA) classes a format are written here.
"""

from __future__ import annotations

__all__ = ["FORMATS", "MACHINE_READABLE", "NON_PROPRIETARY"]

# code: (IANA media type or "", extensions, other names portals use)
FORMATS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "7Z": ("application/x-7z-compressed", ("7z",), ()),
    "ARC_GZ": ("", (), ()),
    "ATOM": ("application/atom+xml", ("atom",), ("atom feed",)),
    "BMP": ("image/bmp", ("bmp",), ()),
    "BZIP2": ("application/x-bzip2", ("bz2",), ("bzip",)),
    "CSS": ("text/css", ("css",), ()),
    "CSV": ("text/csv", ("csv",), ("comma separated values", "csv file")),
    "DBF": ("application/dbf", ("dbf",), ("dbase",)),
    "DGN": ("image/vnd.dgn", ("dgn",), ("microstation",)),
    "DOC": ("application/msword", ("doc",), ("word", "ms word")),
    "DOCX": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        (),
    ),
    "DWG": ("image/vnd.dwg", ("dwg",), ("autocad",)),
    "DXF": ("image/vnd.dxf", ("dxf",), ()),
    "E00": ("", ("e00",), ("arcinfo export",)),
    "ECW": ("application/x-ecw", ("ecw",), ()),
    "EPUB": ("application/epub+zip", ("epub",), ()),
    "EXE": ("application/vnd.microsoft.portable-executable", ("exe",), ()),
    "GDB": ("application/x-filegdb", ("gdb",), ("esri file geodatabase", "file geodatabase", "fgdb")),
    "GEOJSON": (
        "application/geo+json",
        ("geojson",),
        ("geo json", "vnd.geo+json", "application/vnd.geo+json"),
    ),
    "GEOTIFF": ("image/tiff", ("geotiff",), ("geo tiff",)),
    "GIF": ("image/gif", ("gif",), ()),
    "GML": ("application/gml+xml", ("gml",), ("geography markup language",)),
    "GMZ": ("application/x-gmz", ("gmz",), ("zipped gml",)),
    "GPKG": ("application/geopackage+sqlite3", ("gpkg",), ("geopackage", "ogc geopackage")),
    "GRID_ASCII": ("application/x-ascii-grid", ("asc", "grd"), ("ascii grid", "esri ascii grid")),
    "GZIP": ("application/gzip", ("gz",), ("gz", "x-gzip", "application/x-gzip")),
    "HDF": ("application/x-hdf", ("hdf", "h5"), ("hdf5",)),
    "HTML": ("text/html", ("html", "htm"), ("webpagina", "web page", "website")),
    "ICS": ("text/calendar", ("ics", "ical"), ("icalendar", "ical")),
    "JPEG": ("image/jpeg", ("jpg", "jpeg"), ("jpg",)),
    "JPEG2000": ("image/jp2", ("jp2", "jpg2"), ("jpeg 2000", "jp2")),
    "JS": ("text/javascript", ("js",), ("javascript",)),
    "JSON": ("application/json", ("json",), ("json file", "text/json")),
    "JSON_LD": ("application/ld+json", ("jsonld",), ("json-ld", "jsonld")),
    "KML": ("application/vnd.google-earth.kml+xml", ("kml",), ("google earth",)),
    "KMZ": ("application/vnd.google-earth.kmz", ("kmz",), ()),
    "LAS": ("application/x-las", ("las",), ("lidar",)),
    "LAZ": ("application/x-laz", ("laz",), ()),
    "MAP_SRVC": ("", (), ("map service", "arcgis mapserver", "mapserver", "esri rest", "arcgis rest")),
    "MDB": ("application/x-msaccess", ("mdb", "accdb"), ("ms access", "access")),
    "MP3": ("audio/mpeg", ("mp3",), ()),
    "MPEG4": ("video/mp4", ("mp4",), ()),
    "N3": ("text/n3", ("n3",), ("notation3",)),
    "NETCDF": ("application/netcdf", ("nc",), ("net cdf",)),
    "OCTET": ("application/octet-stream", (), ()),
    "ODG": ("application/vnd.oasis.opendocument.graphics", ("odg",), ()),
    "ODP": ("application/vnd.oasis.opendocument.presentation", ("odp",), ()),
    "ODS": ("application/vnd.oasis.opendocument.spreadsheet", ("ods",), ("opendocument spreadsheet",)),
    "ODT": ("application/vnd.oasis.opendocument.text", ("odt",), ("opendocument text",)),
    "OWL": ("application/owl+xml", ("owl",), ()),
    "PDF": ("application/pdf", ("pdf",), ()),
    "PNG": ("image/png", ("png",), ()),
    "PPT": ("application/vnd.ms-powerpoint", ("ppt", "pps"), ("powerpoint",)),
    "PPTX": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        (),
    ),
    "PS": ("application/postscript", ("ps",), ("postscript",)),
    "RAR": ("application/vnd.rar", ("rar",), ("application/x-rar-compressed",)),
    "RDF": ("", (), ("linked data",)),
    "RDFA": ("", (), ()),
    "RDF_N_QUADS": ("application/n-quads", ("nq",), ("n-quads", "nquads")),
    "RDF_N_TRIPLES": ("application/n-triples", ("nt",), ("n-triples", "ntriples")),
    "RDF_TRIG": ("application/trig", ("trig",), ()),
    "RDF_TURTLE": ("text/turtle", ("ttl",), ("turtle", "ttl")),
    "RDF_XML": ("application/rdf+xml", ("rdf",), ("rdf/xml", "rdf xml", "rdf+xml")),
    "RSS": ("application/rss+xml", ("rss",), ("rss feed",)),
    "RTF": ("application/rtf", ("rtf",), ("text/rtf",)),
    "SHP": (
        "application/x-shapefile",
        ("shp",),
        ("esri shapefile", "shapefile", "shape", "zipped shapefile", "shape file", "esri shape"),
    ),
    "SPARQLQ": ("application/sparql-query", ("rq",), ("sparql", "sparql endpoint")),
    "SPARQLQRES": ("application/sparql-results+xml", ("srx",), ("sparql results",)),
    "SQL": ("application/sql", ("sql",), ()),
    "SVG": ("image/svg+xml", ("svg",), ()),
    "TAB": ("application/x-tab", ("tab",), ("mapinfo tab", "mapinfo")),
    "TAB_RSTR": ("application/x-tab-raster", (), ()),
    "TAR": ("application/x-tar", ("tar",), ()),
    "TAR_GZ": ("", ("tgz",), ("tar.gz", "tgz")),
    "TIFF": ("image/tiff", ("tif", "tiff"), ("tif",)),
    "TSV": ("text/tab-separated-values", ("tsv",), ("tab separated values",)),
    "TXT": ("text/plain", ("txt",), ("text", "plain text", "tekst")),
    "WCS_SRVC": ("", (), ("wcs", "ogc wcs", "web coverage service")),
    "WFS_SRVC": ("", (), ("wfs", "ogc wfs", "web feature service", "ogc:wfs", "wfs-g")),
    "WMS_SRVC": ("", (), ("wms", "ogc wms", "web map service", "ogc:wms", "wmts", "ogc wmts")),
    "WORLD": ("application/x-worldfile", ("tfw", "jgw", "pgw"), ("world file",)),
    "XHTML": ("application/xhtml+xml", ("xhtml",), ()),
    "XLS": ("application/vnd.ms-excel", ("xls",), ("excel", "ms excel", "microsoft excel")),
    "XLSB": ("application/vnd.ms-excel.sheet.binary.macroenabled.12", ("xlsb",), ()),
    "XLSM": ("application/vnd.ms-excel.sheet.macroenabled.12", ("xlsm",), ()),
    "XLSX": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
        ("excel xlsx", "excel 2007"),
    ),
    "XML": ("application/xml", ("xml",), ("text/xml",)),
    "XSLT": ("application/xslt+xml", ("xsl", "xslt"), ()),
    "XZ": ("application/x-xz", ("xz",), ()),
    "ZIP": ("application/zip", ("zip",), ("zip archive", "application/x-zip-compressed")),
}

# Formats a machine can read and process (data.europa.eu MQA "machine readable"), as EU codes.
MACHINE_READABLE: frozenset[str] = frozenset(
    {
        "ATOM", "CSV", "DBF", "DGN", "DWG", "DXF", "E00", "ECW", "GDB", "GEOJSON", "GEOTIFF", "GML", "GMZ",
        "GPKG", "GRID", "GRID_ASCII", "HDF", "HDT", "ICS", "JSON", "JSON_LD", "KML", "KMZ", "LAS", "LAZ",
        "MDB", "MIF_MID", "N3", "NETCDF", "ODS", "OWL", "RDF", "RDFA", "RDF_N_QUADS", "RDF_N_TRIPLES",
        "RDF_THRIFT", "RDF_TRIG", "RDF_TRIX", "RDF_TURTLE", "RDF_XML", "RSS", "SDMX", "SHP", "SKOS_XML",
        "SPARQLQ", "SPARQLQRES", "SQL", "TAB", "TAB_RSTR", "TSV", "WCS_SRVC", "WFS_SRVC", "WMS_SRVC",
        "XLS", "XLSB", "XLSM", "XLSX", "XML", "XYZ",
    }
)  # fmt: skip

# Formats defined by an open specification that anyone may implement (MQA "non-proprietary").
NON_PROPRIETARY: frozenset[str] = frozenset(
    {
        "7Z", "ATOM", "BZIP2", "CSS", "CSV", "DBF", "EPUB", "GEOJSON", "GEOTIFF", "GIF", "GML", "GMZ",
        "GPKG", "GRID_ASCII", "GZIP", "HDF", "HDT", "HTML", "HTML5", "ICS", "JPEG", "JPEG2000", "JS",
        "JSON", "JSON_LD", "KML", "KMZ", "LAS", "LAZ", "MP3", "N3", "NETCDF", "ODB", "ODC", "ODF",
        "ODG", "ODP", "ODS", "ODT", "OWL", "PDF", "PDFA1A", "PDFA1B", "PDFA2A", "PDFA2B", "PDFA3", "PNG",
        "RDF", "RDFA", "RDF_N_QUADS", "RDF_N_TRIPLES", "RDF_THRIFT", "RDF_TRIG", "RDF_TRIX",
        "RDF_TURTLE", "RDF_XML", "RSS", "SKOS_XML", "SPARQLQ", "SPARQLQRES", "SVG", "TAR", "TAR_GZ",
        "TAR_XZ", "TIFF", "TSV", "TXT", "WARC", "WARC_GZ", "WCS_SRVC", "WFS_SRVC", "WMS_SRVC", "XHTML",
        "XML", "XSLT", "XZ", "ZIP",
    }
)  # fmt: skip
