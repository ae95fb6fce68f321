"""主题 (life events) of the portal: code, name, audience, order."""

LIFE_EVENTS = [
    ("shengyu", "生育收养", "person", 1),
    ("huji", "户籍办理", "person", 2),
    ("hunyin", "婚姻登记", "person", 3),
    ("shebao", "社会保障", "person", 4),
    ("jiuye", "就业创业", "person", 5),
    ("yanglao", "养老服务", "person", 6),
    ("yiliao", "医疗卫生", "person", 7),
    ("zhufang", "住房保障", "person", 8),
    ("jiaotong", "交通出行", "person", 9),
    ("jiuzhu", "社会救助", "person", 10),
    ("jiaoyu", "教育培训", "person", 11),
    ("kaiban", "开办企业", "company", 1),
    ("gongcheng", "工程建设", "company", 2),
    ("shipin", "食品药品", "company", 3),
    ("yunshu", "交通运输", "company", 4),
    ("nongmu", "农牧业", "company", 5),
    ("wenlv", "文化旅游", "company", 6),
    ("anquan", "安全生产", "company", 7),
    ("huanbao", "生态环保", "company", 8),
]
