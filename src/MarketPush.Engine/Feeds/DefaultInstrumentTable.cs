namespace MarketPush.Engine.Feeds;

/// <summary>
/// The compact source of <see cref="InstrumentCatalog.CreateDefault"/>: one row per instrument, parsed once at
/// startup. Equities and ETFs: <c>SYMBOL|price|description</c>, 2 decimals, tick 0.01. Crypto pairs:
/// <c>SYMBOL|decimals|price|description</c>, tick = one unit of the last decimal. Prices are plausible levels
/// (late 2024), only the starting point of the synthetic random walk.
/// </summary>
internal static class DefaultInstrumentTable
{
    private const string Equities = """
        AAPL|189.50|Apple Inc.
        MSFT|415.20|Microsoft Corporation
        NVDA|128.40|NVIDIA Corporation
        AMZN|185.60|Amazon.com Inc.
        GOOGL|172.30|Alphabet Inc. Class A
        GOOG|173.90|Alphabet Inc. Class C
        META|505.70|Meta Platforms Inc.
        TSLA|245.10|Tesla Inc.
        BRK.B|452.80|Berkshire Hathaway Inc. Class B
        AVGO|168.20|Broadcom Inc.
        LLY|880.40|Eli Lilly and Company
        JPM|208.90|JPMorgan Chase & Co.
        V|276.30|Visa Inc.
        UNH|560.10|UnitedHealth Group Incorporated
        XOM|117.60|Exxon Mobil Corporation
        MA|465.20|Mastercard Incorporated
        JNJ|158.70|Johnson & Johnson
        PG|168.40|Procter & Gamble Company
        HD|382.50|Home Depot Inc.
        COST|870.30|Costco Wholesale Corporation
        MRK|112.80|Merck & Co. Inc.
        ABBV|192.10|AbbVie Inc.
        CVX|154.20|Chevron Corporation
        CRM|268.90|Salesforce Inc.
        BAC|39.80|Bank of America Corporation
        NFLX|685.40|Netflix Inc.
        KO|69.20|Coca-Cola Company
        PEP|168.70|PepsiCo Inc.
        AMD|158.30|Advanced Micro Devices Inc.
        TMO|590.60|Thermo Fisher Scientific Inc.
        WMT|79.40|Walmart Inc.
        ADBE|540.20|Adobe Inc.
        LIN|455.80|Linde plc
        MCD|292.10|McDonald's Corporation
        CSCO|51.30|Cisco Systems Inc.
        ACN|345.60|Accenture plc
        ORCL|165.40|Oracle Corporation
        ABT|114.20|Abbott Laboratories
        WFC|58.70|Wells Fargo & Company
        DHR|258.30|Danaher Corporation
        INTU|640.50|Intuit Inc.
        IBM|214.70|International Business Machines Corporation
        QCOM|168.90|QUALCOMM Incorporated
        TXN|198.40|Texas Instruments Incorporated
        GE|176.20|GE Aerospace
        AMGN|320.10|Amgen Inc.
        VZ|41.60|Verizon Communications Inc.
        PM|121.80|Philip Morris International Inc.
        CAT|355.40|Caterpillar Inc.
        NOW|880.20|ServiceNow Inc.
        ISRG|470.30|Intuitive Surgical Inc.
        DIS|93.50|Walt Disney Company
        GS|505.10|Goldman Sachs Group Inc.
        NEE|78.90|NextEra Energy Inc.
        SPGI|505.60|S&P Global Inc.
        RTX|121.40|RTX Corporation
        PFE|29.30|Pfizer Inc.
        UBER|72.80|Uber Technologies Inc.
        CMCSA|39.70|Comcast Corporation
        T|21.40|AT&T Inc.
        AXP|265.20|American Express Company
        LOW|262.40|Lowe's Companies Inc.
        HON|207.50|Honeywell International Inc.
        UNP|240.60|Union Pacific Corporation
        AMAT|198.30|Applied Materials Inc.
        BKNG|3850.00|Booking Holdings Inc.
        PGR|245.70|Progressive Corporation
        MS|104.20|Morgan Stanley
        COP|110.50|ConocoPhillips
        ELV|520.40|Elevance Health Inc.
        BLK|945.30|BlackRock Inc.
        SYK|355.80|Stryker Corporation
        TJX|118.60|TJX Companies Inc.
        VRTX|470.20|Vertex Pharmaceuticals Incorporated
        C|62.40|Citigroup Inc.
        BSX|82.10|Boston Scientific Corporation
        LMT|565.20|Lockheed Martin Corporation
        SCHW|66.80|Charles Schwab Corporation
        PLD|118.40|Prologis Inc.
        MDT|88.50|Medtronic plc
        REGN|980.60|Regeneron Pharmaceuticals Inc.
        ADP|275.30|Automatic Data Processing Inc.
        CB|282.40|Chubb Limited
        MMC|222.10|Marsh & McLennan Companies Inc.
        ETN|325.70|Eaton Corporation plc
        PANW|345.60|Palo Alto Networks Inc.
        ADI|225.80|Analog Devices Inc.
        BMY|52.40|Bristol-Myers Squibb Company
        MU|102.30|Micron Technology Inc.
        KLAC|780.40|KLA Corporation
        LRCX|82.60|Lam Research Corporation
        DE|395.20|Deere & Company
        GILD|88.70|Gilead Sciences Inc.
        BA|158.40|Boeing Company
        SBUX|96.30|Starbucks Corporation
        MDLZ|71.20|Mondelez International Inc.
        FI|180.40|Fiserv Inc.
        INTC|22.80|Intel Corporation
        SO|88.60|Southern Company
        ANET|365.20|Arista Networks Inc.
        MO|52.30|Altria Group Inc.
        CI|345.60|Cigna Group
        ICE|160.70|Intercontinental Exchange Inc.
        DUK|112.40|Duke Energy Corporation
        SHW|365.80|Sherwin-Williams Company
        ZTS|182.40|Zoetis Inc.
        CL|98.20|Colgate-Palmolive Company
        TT|385.60|Trane Technologies plc
        MCO|470.30|Moody's Corporation
        CME|215.40|CME Group Inc.
        EQIX|860.20|Equinix Inc.
        WM|210.50|Waste Management Inc.
        APH|65.80|Amphenol Corporation
        CTAS|200.40|Cintas Corporation
        PH|620.30|Parker-Hannifin Corporation
        SNPS|520.60|Synopsys Inc.
        CDNS|280.40|Cadence Design Systems Inc.
        ABNB|145.20|Airbnb Inc.
        MSI|460.20|Motorola Solutions Inc.
        PYPL|78.40|PayPal Holdings Inc.
        AON|345.70|Aon plc
        NOC|520.60|Northrop Grumman Corporation
        USB|45.30|U.S. Bancorp
        PNC|185.40|PNC Financial Services Group Inc.
        TGT|150.20|Target Corporation
        GD|295.80|General Dynamics Corporation
        ITW|255.40|Illinois Tool Works Inc.
        MMM|128.60|3M Company
        CVS|58.90|CVS Health Corporation
        EOG|125.40|EOG Resources Inc.
        HCA|380.20|HCA Healthcare Inc.
        BDX|235.60|Becton Dickinson and Company
        CSX|34.60|CSX Corporation
        ORLY|1150.00|O'Reilly Automotive Inc.
        MCK|590.40|McKesson Corporation
        FDX|290.70|FedEx Corporation
        APD|305.20|Air Products and Chemicals Inc.
        EMR|112.60|Emerson Electric Co.
        NSC|245.80|Norfolk Southern Corporation
        ECL|245.30|Ecolab Inc.
        SLB|44.20|Schlumberger Limited
        TFC|42.80|Truist Financial Corporation
        WELL|130.40|Welltower Inc.
        CARR|72.30|Carrier Global Corporation
        AJG|290.60|Arthur J. Gallagher & Co.
        ROP|550.20|Roper Technologies Inc.
        COF|150.70|Capital One Financial Corporation
        MAR|235.40|Marriott International Inc.
        AZO|3050.00|AutoZone Inc.
        PSX|135.60|Phillips 66
        MPC|165.30|Marathon Petroleum Corporation
        GM|48.70|General Motors Company
        F|11.20|Ford Motor Company
        HLT|225.40|Hilton Worldwide Holdings Inc.
        NXPI|240.30|NXP Semiconductors N.V.
        TRV|240.50|Travelers Companies Inc.
        AFL|105.20|Aflac Incorporated
        SRE|82.40|Sempra
        AEP|98.60|American Electric Power Company Inc.
        OKE|92.30|ONEOK Inc.
        WMB|45.60|Williams Companies Inc.
        KMB|138.40|Kimberly-Clark Corporation
        D|55.20|Dominion Energy Inc.
        PCAR|105.80|PACCAR Inc.
        SPG|165.30|Simon Property Group Inc.
        ADSK|275.40|Autodesk Inc.
        FTNT|72.60|Fortinet Inc.
        ROST|145.20|Ross Stores Inc.
        PSA|340.60|Public Storage
        MET|78.40|MetLife Inc.
        O|60.20|Realty Income Corporation
        DLR|155.30|Digital Realty Trust Inc.
        AIG|76.50|American International Group Inc.
        KMI|24.60|Kinder Morgan Inc.
        ALL|190.20|Allstate Corporation
        CCI|105.40|Crown Castle Inc.
        JCI|72.30|Johnson Controls International plc
        PRU|120.60|Prudential Financial Inc.
        GWW|980.40|W.W. Grainger Inc.
        PAYX|140.20|Paychex Inc.
        CPRT|54.30|Copart Inc.
        TEL|150.60|TE Connectivity Ltd.
        FAST|68.40|Fastenal Company
        AMP|430.20|Ameriprise Financial Inc.
        LHX|235.60|L3Harris Technologies Inc.
        MSCI|560.30|MSCI Inc.
        KDP|35.20|Keurig Dr Pepper Inc.
        HUM|260.40|Humana Inc.
        CMI|310.20|Cummins Inc.
        FIS|82.30|Fidelity National Information Services Inc.
        MNST|52.40|Monster Beverage Corporation
        OTIS|98.60|Otis Worldwide Corporation
        CTVA|58.40|Corteva Inc.
        VLO|145.20|Valero Energy Corporation
        KR|62.30|Kroger Co.
        GIS|68.20|General Mills Inc.
        EXC|39.40|Exelon Corporation
        IQV|225.60|IQVIA Holdings Inc.
        PEG|85.40|Public Service Enterprise Group Incorporated
        RSG|205.30|Republic Services Inc.
        A|140.20|Agilent Technologies Inc.
        YUM|135.40|Yum! Brands Inc.
        CTSH|76.20|Cognizant Technology Solutions Corporation
        EW|68.40|Edwards Lifesciences Corporation
        IDXX|480.60|IDEXX Laboratories Inc.
        ODFL|195.30|Old Dominion Freight Line Inc.
        HES|145.20|Hess Corporation
        GEHC|88.40|GE HealthCare Technologies Inc.
        DOW|52.30|Dow Inc.
        SYY|76.40|Sysco Corporation
        VRSK|270.40|Verisk Analytics Inc.
        HPQ|35.60|HP Inc.
        XEL|62.40|Xcel Energy Inc.
        ED|98.20|Consolidated Edison Inc.
        EA|145.60|Electronic Arts Inc.
        DD|80.30|DuPont de Nemours Inc.
        BKR|36.40|Baker Hughes Company
        NUE|150.20|Nucor Corporation
        DFS|140.60|Discover Financial Services
        HIG|105.40|Hartford Financial Services Group Inc.
        KHC|34.60|Kraft Heinz Company
        VICI|31.20|VICI Properties Inc.
        IR|92.40|Ingersoll Rand Inc.
        GLW|45.60|Corning Incorporated
        EXR|165.30|Extra Space Storage Inc.
        MLM|560.40|Martin Marietta Materials Inc.
        CBRE|110.20|CBRE Group Inc.
        DAL|48.60|Delta Air Lines Inc.
        UAL|52.40|United Airlines Holdings Inc.
        LUV|29.30|Southwest Airlines Co.
        AAL|11.40|American Airlines Group Inc.
        HPE|19.80|Hewlett Packard Enterprise Company
        DELL|120.40|Dell Technologies Inc.
        WDC|68.20|Western Digital Corporation
        STX|98.40|Seagate Technology Holdings plc
        ON|68.30|ON Semiconductor Corporation
        MCHP|78.60|Microchip Technology Incorporated
        MRVL|72.40|Marvell Technology Inc.
        SMCI|42.30|Super Micro Computer Inc.
        ARM|140.20|Arm Holdings plc
        TSM|180.60|Taiwan Semiconductor Manufacturing Company Limited
        ASML|820.40|ASML Holding N.V.
        SHOP|78.30|Shopify Inc.
        SNOW|125.40|Snowflake Inc.
        PLTR|38.60|Palantir Technologies Inc.
        CRWD|290.50|CrowdStrike Holdings Inc.
        DDOG|118.30|Datadog Inc.
        ZS|185.40|Zscaler Inc.
        NET|85.20|Cloudflare Inc.
        MDB|260.40|MongoDB Inc.
        TEAM|170.30|Atlassian Corporation
        WDAY|250.60|Workday Inc.
        TTD|110.40|The Trade Desk Inc.
        COIN|205.30|Coinbase Global Inc.
        HOOD|24.60|Robinhood Markets Inc.
        SOFI|9.80|SoFi Technologies Inc.
        RBLX|42.30|Roblox Corporation
        U|18.40|Unity Software Inc.
        SPOT|340.20|Spotify Technology S.A.
        PINS|32.40|Pinterest Inc.
        SNAP|10.80|Snap Inc.
        LYFT|13.20|Lyft Inc.
        DASH|140.60|DoorDash Inc.
        ZM|68.40|Zoom Video Communications Inc.
        DOCU|62.30|DocuSign Inc.
        OKTA|76.40|Okta Inc.
        TWLO|68.20|Twilio Inc.
        ETSY|58.40|Etsy Inc.
        EBAY|58.60|eBay Inc.
        ROKU|68.30|Roku Inc.
        RIVN|11.40|Rivian Automotive Inc.
        LCID|2.85|Lucid Group Inc.
        NIO|4.60|NIO Inc.
        BABA|88.40|Alibaba Group Holding Limited
        JD|34.20|JD.com Inc.
        PDD|120.40|PDD Holdings Inc.
        BIDU|92.30|Baidu Inc.
        SONY|88.20|Sony Group Corporation
        TM|185.40|Toyota Motor Corporation
        NVO|120.30|Novo Nordisk A/S
        AZN|78.40|AstraZeneca PLC
        SAP|215.60|SAP SE
        SHEL|68.40|Shell plc
        BP|33.20|BP p.l.c.
        TTE|66.80|TotalEnergies SE
        HSBC|44.60|HSBC Holdings plc
        UL|62.40|Unilever PLC
        DEO|135.20|Diageo plc
        MRNA|75.40|Moderna Inc.
        BIIB|205.30|Biogen Inc.
        ILMN|130.20|Illumina Inc.
        DXCM|72.40|DexCom Inc.
        ALGN|240.60|Align Technology Inc.
        LULU|290.40|Lululemon Athletica Inc.
        NKE|78.60|Nike Inc.
        CMG|56.20|Chipotle Mexican Grill Inc.
        DPZ|420.30|Domino's Pizza Inc.
        DG|82.40|Dollar General Corporation
        DLTR|68.30|Dollar Tree Inc.
        BBY|88.40|Best Buy Co. Inc.
        HSY|180.20|The Hershey Company
        K|80.40|Kellanova
        STZ|245.60|Constellation Brands Inc.
        EL|78.30|The Estee Lauder Companies Inc.
        CLX|160.40|The Clorox Company
        CHD|102.30|Church & Dwight Co. Inc.
        WBA|9.40|Walgreens Boots Alliance Inc.
        PARA|10.60|Paramount Global
        WBD|8.40|Warner Bros. Discovery Inc.
        FOXA|40.20|Fox Corporation Class A
        NWSA|27.40|News Corp Class A
        CHTR|340.60|Charter Communications Inc.
        TMUS|220.40|T-Mobile US Inc.
        EQR|70.30|Equity Residential
        AVB|225.40|AvalonBay Communities Inc.
        AMT|210.30|American Tower Corporation
        SBAC|220.60|SBA Communications Corporation
        WY|30.20|Weyerhaeuser Company
        FCX|45.60|Freeport-McMoRan Inc.
        NEM|48.30|Newmont Corporation
        ALB|95.40|Albemarle Corporation
        MOS|28.60|The Mosaic Company
        CF|82.30|CF Industries Holdings Inc.
        OXY|58.40|Occidental Petroleum Corporation
        DVN|42.60|Devon Energy Corporation
        FANG|185.30|Diamondback Energy Inc.
        HAL|30.40|Halliburton Company
        APA|28.60|APA Corporation
        CTRA|25.40|Coterra Energy Inc.
        EQT|38.20|EQT Corporation
        ENPH|105.40|Enphase Energy Inc.
        FSLR|210.30|First Solar Inc.
        CEG|230.40|Constellation Energy Corporation
        VST|120.60|Vistra Corp.
        ETR|150.20|Entergy Corporation
        AES|17.40|The AES Corporation
        PCG|19.60|PG&E Corporation
        EIX|82.40|Edison International
        WEC|92.30|WEC Energy Group Inc.
        GPN|100.40|Global Payments Inc.
        AXON|390.20|Axon Enterprise Inc.
        TDG|1320.00|TransDigm Group Incorporated
        HWM|98.40|Howmet Aerospace Inc.
        TXT|85.20|Textron Inc.
        URI|720.40|United Rentals Inc.
        PWR|290.60|Quanta Services Inc.
        ROK|270.30|Rockwell Automation Inc.
        DOV|185.40|Dover Corporation
        XYL|130.20|Xylem Inc.
        AME|172.40|AMETEK Inc.
        FTV|72.30|Fortive Corporation
        KEYS|150.40|Keysight Technologies Inc.
        ZBRA|360.20|Zebra Technologies Corporation
        TER|120.30|Teradyne Inc.
        MPWR|850.40|Monolithic Power Systems Inc.
        SWKS|98.40|Skyworks Solutions Inc.
        QRVO|82.30|Qorvo Inc.
        AKAM|98.20|Akamai Technologies Inc.
        NTAP|125.40|NetApp Inc.
        IT|480.30|Gartner Inc.
        EPAM|210.40|EPAM Systems Inc.
        CDW|220.30|CDW Corporation
        ANSS|330.40|ANSYS Inc.
        PTC|180.20|PTC Inc.
        TYL|560.30|Tyler Technologies Inc.
        FICO|1850.00|Fair Isaac Corporation
        BR|210.40|Broadridge Financial Solutions Inc.
        NDAQ|72.30|Nasdaq Inc.
        CBOE|205.40|Cboe Global Markets Inc.
        RJF|130.20|Raymond James Financial Inc.
        STT|82.40|State Street Corporation
        BK|68.30|The Bank of New York Mellon Corporation
        NTRS|92.40|Northern Trust Corporation
        FITB|40.20|Fifth Third Bancorp
        MTB|170.30|M&T Bank Corporation
        HBAN|15.40|Huntington Bancshares Incorporated
        RF|22.30|Regions Financial Corporation
        KEY|16.40|KeyCorp
        CFG|40.20|Citizens Financial Group Inc.
        SYF|52.30|Synchrony Financial
        ALLY|38.20|Ally Financial Inc.
        MKTX|210.40|MarketAxess Holdings Inc.
        SPY|560.20|SPDR S&P 500 ETF Trust
        QQQ|480.30|Invesco QQQ Trust
        IWM|215.40|iShares Russell 2000 ETF
        DIA|410.20|SPDR Dow Jones Industrial Average ETF Trust
        VTI|275.30|Vanguard Total Stock Market ETF
        VOO|515.40|Vanguard S&P 500 ETF
        EEM|43.20|iShares MSCI Emerging Markets ETF
        EFA|80.30|iShares MSCI EAFE ETF
        GLD|230.40|SPDR Gold Shares
        SLV|28.60|iShares Silver Trust
        TLT|95.40|iShares 20+ Year Treasury Bond ETF
        HYG|78.30|iShares iBoxx $ High Yield Corporate Bond ETF
        XLF|44.20|Financial Select Sector SPDR Fund
        XLK|225.30|Technology Select Sector SPDR Fund
        XLE|92.40|Energy Select Sector SPDR Fund
        XLV|150.20|Health Care Select Sector SPDR Fund
        ARKK|48.30|ARK Innovation ETF
        SMH|240.60|VanEck Semiconductor ETF
        SOXL|38.40|Direxion Daily Semiconductor Bull 3X Shares
        TQQQ|68.20|ProShares UltraPro QQQ
        GME|22.40|GameStop Corp.
        AMC|4.60|AMC Entertainment Holdings Inc.
        MSTR|165.30|MicroStrategy Incorporated
        MARA|18.40|MARA Holdings Inc.
        RIOT|9.60|Riot Platforms Inc.
        CVNA|160.20|Carvana Co.
        AFRM|40.30|Affirm Holdings Inc.
        UPST|45.20|Upstart Holdings Inc.
        CCL|18.40|Carnival Corporation
        RCL|165.30|Royal Caribbean Cruises Ltd.
        NCLH|19.60|Norwegian Cruise Line Holdings Ltd.
        EXPE|140.20|Expedia Group Inc.
        WYNN|88.40|Wynn Resorts Limited
        LVS|45.30|Las Vegas Sands Corp.
        MGM|38.60|MGM Resorts International
        DKNG|38.40|DraftKings Inc.
        HAS|62.30|Hasbro Inc.
        MAT|18.40|Mattel Inc.
        ADM|60.20|Archer-Daniels-Midland Company
        TSN|60.30|Tyson Foods Inc.
        HRL|32.40|Hormel Foods Corporation
        CAG|29.30|Conagra Brands Inc.
        SJM|115.40|The J.M. Smucker Company
        CPB|46.30|The Campbell's Company
        MKC|76.40|McCormick & Company Incorporated
        KVUE|21.30|Kenvue Inc.
        TAP|56.20|Molson Coors Beverage Company
        BF.B|44.30|Brown-Forman Corporation Class B
        RL|190.40|Ralph Lauren Corporation
        TPR|48.30|Tapestry Inc.
        PVH|98.40|PVH Corp.
        GAP|22.30|The Gap Inc.
        ANF|140.20|Abercrombie & Fitch Co.
        DECK|165.40|Deckers Outdoor Corporation
        CROX|120.30|Crocs Inc.
        ULTA|390.20|Ulta Beauty Inc.
        TSCO|270.40|Tractor Supply Company
        WSM|140.30|Williams-Sonoma Inc.
        RH|300.20|RH
        W|45.30|Wayfair Inc.
        CHWY|30.40|Chewy Inc.
        POOL|350.20|Pool Corporation
        LEN|170.40|Lennar Corporation
        DHI|175.30|D.R. Horton Inc.
        PHM|130.20|PulteGroup Inc.
        NVR|8900.00|NVR Inc.
        TOL|140.30|Toll Brothers Inc.
        MHK|140.20|Mohawk Industries Inc.
        WHR|100.40|Whirlpool Corporation
        LKQ|40.30|LKQ Corporation
        GPC|130.20|Genuine Parts Company
        APTV|70.40|Aptiv PLC
        BWA|34.20|BorgWarner Inc.
        STLA|14.30|Stellantis N.V.
        HMC|32.40|Honda Motor Co. Ltd.
        RACE|440.30|Ferrari N.V.
        CNC|68.20|Centene Corporation
        MOH|320.40|Molina Healthcare Inc.
        CAH|110.30|Cardinal Health Inc.
        COR|240.20|Cencora Inc.
        LH|220.30|Labcorp Holdings Inc.
        DGX|155.40|Quest Diagnostics Incorporated
        HOLX|80.20|Hologic Inc.
        STE|230.40|STERIS plc
        RMD|240.30|ResMed Inc.
        PODD|230.20|Insulet Corporation
        TFX|220.40|Teleflex Incorporated
        BAX|35.30|Baxter International Inc.
        ZBH|108.40|Zimmer Biomet Holdings Inc.
        WAT|350.20|Waters Corporation
        MTD|1400.00|Mettler-Toledo International Inc.
        CRL|200.30|Charles River Laboratories International Inc.
        INCY|62.40|Incyte Corporation
        VTRS|11.30|Viatris Inc.
        TEVA|17.40|Teva Pharmaceutical Industries Limited
        OGN|20.30|Organon & Co.
        """;

    private const string Crypto = """
        BTC-USD|2|60000.00|Bitcoin / US Dollar
        ETH-USD|2|3000.00|Ether / US Dollar
        SOL-USD|3|150.000|Solana / US Dollar
        XRP-USD|4|0.5200|XRP / US Dollar
        ADA-USD|4|0.3800|Cardano / US Dollar
        DOGE-USD|5|0.12000|Dogecoin / US Dollar
        AVAX-USD|3|28.000|Avalanche / US Dollar
        DOT-USD|3|5.200|Polkadot / US Dollar
        LINK-USD|3|12.500|Chainlink / US Dollar
        LTC-USD|2|68.00|Litecoin / US Dollar
        BCH-USD|2|350.00|Bitcoin Cash / US Dollar
        POL-USD|4|0.4200|Polygon Ecosystem Token / US Dollar
        UNI-USD|3|7.400|Uniswap / US Dollar
        ATOM-USD|3|5.800|Cosmos / US Dollar
        XLM-USD|5|0.09500|Stellar / US Dollar
        ALGO-USD|5|0.13000|Algorand / US Dollar
        NEAR-USD|3|4.600|NEAR Protocol / US Dollar
        APT-USD|3|7.200|Aptos / US Dollar
        ARB-USD|4|0.6200|Arbitrum / US Dollar
        OP-USD|4|1.4500|Optimism / US Dollar
        FIL-USD|3|3.900|Filecoin / US Dollar
        AAVE-USD|2|140.00|Aave / US Dollar
        SHIB-USD|8|0.00001234|Shiba Inu / US Dollar
        PEPE-USD|10|0.0000085000|Pepe / US Dollar
        USDT-USD|4|1.0001|Tether / US Dollar
        USDC-USD|4|1.0000|USD Coin / US Dollar
        ETH-BTC|5|0.05000|Ether / Bitcoin
        """;

    public static InstrumentCatalog Create()
    {
        var rows = new List<(string Symbol, int Decimals, string Price, string Description)>();
        foreach (string line in Equities.Split('\n'))
        {
            string[] parts = line.Trim().Split('|');
            rows.Add((parts[0], 2, parts[1], parts[2]));
        }

        foreach (string line in Crypto.Split('\n'))
        {
            string[] parts = line.Trim().Split('|');
            rows.Add((parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2], parts[3]));
        }

        rows.Sort(static (x, y) => string.CompareOrdinal(x.Symbol, y.Symbol));
        return InstrumentCatalog.FromRows(rows);
    }
}
