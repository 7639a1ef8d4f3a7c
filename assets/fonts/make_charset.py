#!/usr/bin/env python3
"""Writes charset.txt: every character the embedded font must cover (see README.md)."""

import bz2

chars = set()

def add_range(lo, hi):
    chars.update(chr(c) for c in range(lo, hi + 1))

add_range(0x20, 0x7E)      # ASCII
add_range(0xA0, 0xFF)      # Latin-1 (·, ×, ÷, ° ...)
add_range(0x2010, 0x2044)  # dashes, quotes, ellipsis, ‰, ※
add_range(0x2100, 0x2199)  # ℃, №, Roman numerals Ⅰ–Ⅻ, arrows
add_range(0x2460, 0x24FF)  # ①–⑳ circled numbers
add_range(0x2500, 0x257F)  # box drawing
add_range(0x25A0, 0x25FF)  # □ ■ ○ ● △ (ballot marks)
add_range(0x2600, 0x2613)  # ☐ ☑ ☒ ★ ☆
add_range(0x2713, 0x2718)  # ✓ ✔ ✕ ✖ ✗
add_range(0x3000, 0x303F)  # CJK punctuation: 、。〇「」《》【】〔〕
add_range(0x3200, 0x32FF)  # ㈠ ㊀ circled ideographs
add_range(0x30FB, 0x30FB)  # ・ (katakana middle dot, used in transliterated names)
add_range(0xFE30, 0xFE4F)  # CJK compatibility forms
add_range(0xFF00, 0xFFEF)  # full-width ASCII and half-width forms

# GB 2312: 6,763 hanzi in rows 16–87 (level 1: 16–55, level 2: 56–87) plus its symbols rows 1–9.
for row in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
    for col in range(0xA1, 0xFF):
        try:
            chars.add(bytes([row, col]).decode("gb2312"))
        except UnicodeDecodeError:
            pass

# 通用规范汉字表 (Table of General Standard Chinese Characters, State Council 2013): 8,105 characters,
# the set household registration draws new names from. Unicode's Unihan database marks them with
# kTGHZ2013; Debian ships it in the `unicode-data` package.
UNIHAN = "/usr/share/unicode/Unihan_Readings.txt.bz2"
with bz2.open(UNIHAN, "rt", encoding="utf-8") as f:
    for line in f:
        parts = line.split("\t")
        if len(parts) >= 2 and parts[1] == "kTGHZ2013":
            chars.add(chr(int(parts[0][2:], 16)))

# Characters outside GB 2312 that are common in personal names and surnames
# (given names especially love rare 王/日/金/木 radicals), plus a few place-name characters.
NAMES = """
珺喆昇堃琍钰玥昱琰瑄婧璟祎翀彧晞珏镕鎔堉焱淼犇骉垚鑫赟頔旸昶晗晔暐曌琇琤琦琪瑛瑜璇璐璠瓒甦
皓睿禛祺稷筠箐篪綦缇翯翾耘芃芮茜荃莜菁萱蓁蔚蕙蘅袆觐谞赜轶逯邝郗郜鄢酆闫阚隽霈霖靓颀飏馥骞鹍
鹏麒黛禤芈仝佘佟冼冮劼勍卲厍叡呙啟喾嬿宓宬寀崟嵘帏弢彤忞怿恺惇愔慜扆旻旼昀昕昊昉晁晟晧晳暄暻
曈朏杺枏桢梓棨楙楠榆槿橦檠歆毓氿汭沄泓洺洹浛浠淏淯湉溥滢潆澍濛炅炘炜烜焕煊煜熠燊燚爔玏玚玟玠
珅珉珝珣珩琬琮琳琼瑀瑗瑢瑨瑱璁璋璞璨璪瓅甯畇皞盺祐祜禕秾竑筱篁粲絜綮缃羲翊翎翚耔聿胤舣苒苡
茗荀莘菡萁葆蒨蓥蕤薏藜虓蜚衎衿覃訚詹谌贇赉逄遹邴郄郏鄞釆铖铠锃锴镛闳阆陞隗雯霁靖韪頫颉飒骅骐
髙鲲鹓鹭麟龑䶮㛃槊翙稹溦湘淇沐洧涞渼漪澂灏烨煦熙燏珈珂珞珮琀琎琨琲瑷璘璿瓘甡畯皙盈砺硕碁祯
禔禾秭穰竣笙筝箴篆綝缙翃翌翥聃肸臻艺芊芷苓茁茵荻莛莹菀萦葳蒽蓓蓉蔺蕊薇蘩虞蛟袂裴觅谦谧贽赓
跹邈郦郯鄯钊钧钿铎铭铮锋锐锦镇镜闵阅陟雎霆霓靳韫韬颢飙馨骁骥鲁鸾鹤黎龚偲婕婳媛嫣孃宸岚嵩巍
弈彦彬徕忻恂恬悠愉慧憬懋戬旭旼昰晏晖晴晷暾曦朗杉杪柘栩桦梵棣榕槐橙檀欢殷沛泷洙浚涓淳渝湛
滔漾澜瀚灿炳烁焘煌熹燕犁猷玖玙珐珥琏瑁瑶璧璎瓯畲磊祚禄禧秉穹窦竺笃筠箫篱粼绮缨罡羿翡耀胥
舜芙苑茹荷莉菲萌萍葭蒙蓝蔓蕾薛蘭虹蛰蜀裳谡赫跃轩辰逍邑郅郭鄂酉钦钮铂锡镐阎陶隋雍霄霭靓
韩顼颐飞馗骏魁鲍鸿鹰麦黄鼎龄龙㑇㐱㑊㳇㵐㶲㸌㺄㻬㽏㿠䅟䌹䗖䜣䴔丏丮仉伋伭佖侂侪俣倞偰傕
兖冏冔凇刭劬勐匜卬卺厐叕吋吕咺哿喁嘏嚭囿坛垲埴堇塽墀壆夔奭妫姒姞娀婤媞嫄孛孥宥寅尃屺岍岐峄
崧嵚巘帡庹廙彀彖徛忱怙恪悫惔慥憓戡扃旃旴旿晙晫暋暲曜曩朐杲枨枳柷栎桁梃棂椤楗楫榘槃樗橐檩
欤殳毖沇泠洎浈涘淦渚溍滈漷潍澔濉瀹炟烺焜焯煐熳燧爚牮犴玢玶珙珧琯瑊瑭璆璇璜璩璮瓀甪畹皖盱
眭瞿矻砜硚碛磐祇祧禚秬稔穑窕竦笪筌箓篯籀粢絪緃缊罍翕翱耆聆胄脩臧舄芾苕茆荇莒菘葑蓍蔡蕲薮
藉蘧虢蛩衮袤裘覆訇谯豳贲赧趵蹇轵逵遂郇郓郾酃釐钤钲铄铿锬镗闼阊陉隰雒霍靛鞠頠颙飨馔驺骘鬯
鲛鸱鹖麑黉鼐
"""
chars.update(c for c in NAMES if not c.isspace())

with open("charset.txt", "w", encoding="utf-8") as f:
    f.write("".join(sorted(chars)))
print(len(chars), "characters requested")
