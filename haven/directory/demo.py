"""Fictional directory entries for `haven demo`. Every name says "(DEMO)"; addresses,
phone numbers and web sites are invented (example.org, +00 numbers). Safe to run again."""

from __future__ import annotations

from typing import Any

from haven.accounts.models import Organisation, OrganisationType
from haven.directory import actions
from haven.directory.models import Provider

# The demo organisations of `haven demo`, linked when they exist.
DEMO_NGO = "Lotus Lantern Outreach (DEMO, fictional)"
DEMO_POLICE = "Riverbend Province Police Anti-Trafficking Unit (DEMO, fictional)"

PROVIDERS: list[dict[str, Any]] = [
    {
        "name": "Lotus Lantern Outreach (DEMO)",
        "link": DEMO_NGO,
        "org_type": OrganisationType.NGO,
        "country": "TH",
        "areas": ["Chiang Mai", "Chiang Rai"],
        "address": "12 Lantern Lane, Chiang Mai (fictional address)",
        "opening_hours": "Monday to Saturday, 8:00 to 18:00",
        "phone": "+00 000 000 101",
        "email": "help@lotus-lantern.example.org",
        "website": "https://lotus-lantern.example.org",
        "languages": ["th", "en", "my", "km", "shn"],
        "services": [
            {
                "kind": "psychosocial",
                "description": "Counselling with a trained counsellor, alone or in a group. "
                "Free and confidential.",
                "descriptions": {
                    "th": "การให้คำปรึกษากับผู้ให้คำปรึกษาที่ผ่านการฝึกอบรม แบบรายบุคคลหรือเป็นกลุ่ม "
                    "ไม่มีค่าใช้จ่ายและเป็นความลับ",
                    "km": "ការប្រឹក្សាយោបល់ជាមួយអ្នកប្រឹក្សាដែលបានទទួលការបណ្តុះបណ្តាល ម្នាក់ឯង "
                    "ឬជាក្រុម។ ឥតគិតថ្លៃ និងរក្សាការសម្ងាត់។",
                    "my": "လေ့ကျင့်ထားသော အတိုင်ပင်ခံပုဂ္ဂိုလ်နှင့် တစ်ဦးချင်း သို့မဟုတ် အုပ်စုလိုက် "
                    "စကားပြောခြင်း။ အခမဲ့ဖြစ်ပြီး လျှို့ဝှက်ချက်ကို ထိန်းသိမ်းပါသည်။",
                },
            },
            {
                "kind": "legal",
                "description": "Advice on your rights, help to claim unpaid wages and support "
                "if you go to court.",
                "descriptions": {
                    "th": "ให้คำแนะนำเกี่ยวกับสิทธิของคุณ ช่วยเรียกร้องค่าจ้างที่ค้างจ่าย "
                    "และให้การสนับสนุนหากคุณต้องไปศาล",
                    "km": "ផ្តល់ដំបូន្មានអំពីសិទ្ធិរបស់អ្នក ជួយទាមទារប្រាក់ឈ្នួលដែលមិនទាន់បានបើក "
                    "និងគាំទ្រអ្នកប្រសិនបើអ្នកទៅតុលាការ។",
                    "my": "သင့်အခွင့်အရေးများအကြောင်း အကြံပေးခြင်း၊ မရရှိသေးသော လုပ်ခ "
                    "တောင်းဆိုရန် ကူညီခြင်းနှင့် တရားရုံးသွားရပါက ပံ့ပိုးပေးခြင်း။",
                },
                "exploitation_types": ["ForcedLabour", "ChildLabour", "Servitude"],
            },
            {
                "kind": "interpretation",
                "description": "Interpreters for Burmese, Khmer and Shan speakers at appointments.",
                "descriptions": {
                    "th": "ล่ามภาษาพม่า เขมร และไทใหญ่ สำหรับการนัดหมายต่าง ๆ",
                    "km": "អ្នកបកប្រែភាសាភូមា ខ្មែរ និងសាន សម្រាប់ការណាត់ជួប។",
                },
            },
        ],
    },
    {
        "name": "Sunrise Children's Home (DEMO)",
        "org_type": OrganisationType.SHELTER,
        "country": "TH",
        "areas": ["Bangkok"],
        # A confidential place: the public sees the phone and e-mail, never the address.
        "address": "3 Quiet Garden Soi, Bangkok (fictional address)",
        "confidential": True,
        "opening_hours": "Every day, 24 hours",
        "phone": "+00 000 000 102",
        "email": "intake@sunrise-home.example.org",
        "languages": ["th", "en", "km", "lo"],
        "public": True,
        "services": [
            {
                "kind": "accommodation",
                "description": "A safe home for children under 18, with school, meals and "
                "care. Open day and night.",
                "descriptions": {
                    "th": "บ้านที่ปลอดภัยสำหรับเด็กอายุต่ำกว่า 18 ปี มีโรงเรียน อาหาร และการดูแล "
                    "เปิดทั้งกลางวันและกลางคืน",
                    "km": "ផ្ទះមានសុវត្ថិភាពសម្រាប់កុមារអាយុក្រោម ១៨ ឆ្នាំ មានសាលារៀន អាហារ "
                    "និងការថែទាំ។ បើកទាំងថ្ងៃទាំងយប់។",
                    "my": "အသက် ၁၈ နှစ်အောက် ကလေးများအတွက် ကျောင်း၊ အစားအစာနှင့် "
                    "စောင့်ရှောက်မှုပါသော လုံခြုံသည့်အိမ်။ နေ့ရောညပါ ဖွင့်ထားသည်။",
                },
                "age_max": 17,
                "capacity": 20,
                "available": 6,
            },
            {
                "kind": "education",
                "description": "School and catch-up classes for the children living at the home.",
                "descriptions": {
                    "th": "โรงเรียนและชั้นเรียนเสริมสำหรับเด็กที่อาศัยอยู่ในบ้าน",
                    "km": "សាលារៀន និងថ្នាក់រៀនបំប៉នសម្រាប់កុមារដែលរស់នៅក្នុងផ្ទះ។",
                },
                "age_max": 17,
                "accepts_referrals": False,
            },
        ],
    },
    {
        "name": "Mekong Regional Helpline (DEMO)",
        "org_type": OrganisationType.HOTLINE,
        "country": "TH",
        "opening_hours": "Every day, 24 hours",
        "phone": "+00 000 000 100",
        "website": "https://helpline.example.org",
        "languages": ["th", "km", "my", "lo", "en"],
        "services": [
            {
                "kind": "psychosocial",
                "description": "A free phone line, day and night. Talk in Thai, Khmer, Burmese, "
                "Lao or English. You do not have to give your name.",
                "descriptions": {
                    "th": "สายด่วนโทรฟรี ตลอดทั้งวันทั้งคืน พูดได้ทั้งภาษาไทย เขมร พม่า ลาว "
                    "หรืออังกฤษ คุณไม่ต้องบอกชื่อ",
                    "km": "ខ្សែទូរស័ព្ទឥតគិតថ្លៃ ទាំងថ្ងៃទាំងយប់។ និយាយជាភាសាថៃ ខ្មែរ ភូមា ឡាវ "
                    "ឬអង់គ្លេស។ អ្នកមិនចាំបាច់ប្រាប់ឈ្មោះទេ។",
                    "my": "နေ့ရောညပါ အခမဲ့ ဖုန်းလိုင်း။ ထိုင်း၊ ခမာ၊ မြန်မာ၊ လာအို သို့မဟုတ် "
                    "အင်္ဂလိပ်ဘာသာဖြင့် ပြောဆိုနိုင်သည်။ သင့်အမည်ကို ပြောရန်မလိုပါ။",
                },
            },
        ],
    },
    {
        "name": "Mekong Women's Shelter (DEMO)",
        "org_type": OrganisationType.SHELTER,
        "country": "KH",
        "areas": ["Phnom Penh", "Kandal"],
        "address": "21 Hidden Orchard Street, Phnom Penh (fictional address)",
        "confidential": True,
        "opening_hours": "Every day, 24 hours",
        "phone": "+00 000 000 201",
        "email": "shelter@mekong-women.example.org",
        "languages": ["km", "en", "vi"],
        "services": [
            {
                "kind": "accommodation",
                "description": "A safe shelter for women and girls, with a private room, meals "
                "and a social worker. Free.",
                "descriptions": {
                    "km": "ទីជម្រកមានសុវត្ថិភាពសម្រាប់ស្ត្រី និងក្មេងស្រី មានបន្ទប់ឯកជន អាហារ "
                    "និងបុគ្គលិកសង្គមកិច្ច។ ឥតគិតថ្លៃ។",
                    "th": "ที่พักพิงที่ปลอดภัยสำหรับผู้หญิงและเด็กผู้หญิง มีห้องส่วนตัว อาหาร "
                    "และนักสังคมสงเคราะห์ ไม่มีค่าใช้จ่าย",
                    "vi": "Nơi tạm trú an toàn cho phụ nữ và trẻ em gái, có phòng riêng, bữa ăn "
                    "và nhân viên công tác xã hội. Miễn phí.",
                },
                "sexes": ["Feminine", "TransgenderFeminine"],
                "capacity": 30,
                "available": 4,
            },
            {
                "kind": "medical",
                "description": "Health checks, treatment and sexual and reproductive health "
                "care by women doctors.",
                "descriptions": {
                    "km": "ការពិនិត្យសុខភាព ការព្យាបាល និងការថែទាំសុខភាពផ្លូវភេទ "
                    "និងសុខភាពបន្តពូជ ដោយវេជ្ជបណ្ឌិតស្ត្រី។",
                    "th": "ตรวจสุขภาพ รักษาพยาบาล และดูแลสุขภาพทางเพศและอนามัยเจริญพันธุ์โดยแพทย์หญิง",
                },
                "sexes": ["Feminine", "TransgenderFeminine"],
            },
        ],
    },
    {
        "name": "Riverbend Province Police Anti-Trafficking Unit (DEMO)",
        "link": DEMO_POLICE,
        "org_type": OrganisationType.LAW_ENFORCEMENT,
        "country": "KH",
        "areas": ["Riverbend Province"],
        "address": "1 Riverside Road, Riverbend (fictional address)",
        "opening_hours": "Every day, 24 hours",
        "phone": "+00 000 000 202",
        "languages": ["km", "en"],
        "services": [
            {
                "kind": "legal",
                "description": "Report trafficking to specialised officers. You can bring a "
                "support worker with you.",
                "descriptions": {
                    "km": "រាយការណ៍អំពីការជួញដូរមនុស្សទៅមន្ត្រីជំនាញ។ អ្នកអាចនាំបុគ្គលិកគាំទ្រមកជាមួយអ្នកបាន។",
                    "th": "แจ้งเรื่องการค้ามนุษย์กับเจ้าหน้าที่ผู้เชี่ยวชาญ "
                    "คุณสามารถพาเจ้าหน้าที่ผู้ให้ความช่วยเหลือมาด้วยได้",
                },
            },
            {
                "kind": "risk_assessment",
                "description": "Safety planning if you or your family are threatened.",
                "descriptions": {
                    "km": "ការរៀបចំផែនការសុវត្ថិភាព ប្រសិនបើអ្នក ឬគ្រួសាររបស់អ្នកត្រូវបានគំរាមកំហែង។",
                    "th": "วางแผนด้านความปลอดภัยหากคุณหรือครอบครัวถูกข่มขู่",
                },
            },
        ],
    },
    {
        "name": "Red River Return and Reintegration Centre (DEMO)",
        "org_type": OrganisationType.LOCAL_GOVERNMENT,
        "country": "VN",
        "areas": ["Hà Nội"],
        "address": "8 Demo Street, Hà Nội (fictional address)",
        "opening_hours": "Monday to Friday, 7:30 to 17:00",
        "phone": "+00 000 000 301",
        "email": "return@red-river.example.org",
        "languages": ["vi", "en", "zh"],
        "services": [
            {
                "kind": "return",
                "description": "Help to come home safely from abroad: travel, papers and "
                "someone to meet you.",
                "descriptions": {
                    "vi": "Hỗ trợ trở về nhà an toàn từ nước ngoài: đi lại, giấy tờ và có "
                    "người đón bạn.",
                    "km": "ជួយឱ្យអ្នកត្រឡប់មកផ្ទះវិញដោយសុវត្ថិភាពពីបរទេស៖ ការធ្វើដំណើរ ឯកសារ និងមានអ្នកមកទទួល។",
                    "th": "ช่วยให้กลับบ้านจากต่างประเทศได้อย่างปลอดภัย ทั้งการเดินทาง เอกสาร และมีคนมารับ",
                },
                "nationalities": ["VN"],
            },
            {
                "kind": "vocational",
                "description": "Job training and help to start a small business after return.",
                "descriptions": {
                    "vi": "Đào tạo nghề và hỗ trợ khởi nghiệp kinh doanh nhỏ sau khi trở về.",
                    "km": "ការបណ្តុះបណ្តាលវិជ្ជាជីវៈ និងជំនួយក្នុងការចាប់ផ្តើមអាជីវកម្មខ្នាតតូចក្រោយពេលត្រឡប់មកវិញ។",
                    "th": "ฝึกอาชีพและช่วยเริ่มต้นธุรกิจขนาดเล็กหลังกลับมา",
                },
                "nationalities": ["VN"],
                "age_min": 16,
            },
        ],
    },
    {
        "name": "Golden Valley Health Clinic (DEMO)",
        "org_type": OrganisationType.HEALTH_SERVICE,
        "country": "MM",
        "areas": ["Shan State"],
        "address": "Clinic Road, Golden Valley (fictional address)",
        "opening_hours": "Every day, 8:00 to 20:00",
        "phone": "+00 000 000 401",
        "languages": ["my", "shn", "en"],
        "services": [
            {
                "kind": "medical",
                "description": "Free health care, also for people without documents.",
                "descriptions": {
                    "my": "စာရွက်စာတမ်းမရှိသူများအပါအဝင် အခမဲ့ ကျန်းမာရေးစောင့်ရှောက်မှု။",
                    "km": "ការថែទាំសុខភាពឥតគិតថ្លៃ រួមទាំងសម្រាប់អ្នកដែលគ្មានឯកសារ។",
                    "th": "บริการสุขภาพฟรี รวมถึงผู้ที่ไม่มีเอกสาร",
                },
            },
            {
                "kind": "psychosocial",
                "description": "Talking with a counsellor in Burmese or Shan.",
                "descriptions": {
                    "my": "မြန်မာ သို့မဟုတ် ရှမ်းဘာသာဖြင့် အတိုင်ပင်ခံနှင့် စကားပြောခြင်း။",
                    "km": "និយាយជាមួយអ្នកប្រឹក្សាជាភាសាភូមា ឬភាសាសាន។",
                    "th": "พูดคุยกับผู้ให้คำปรึกษาเป็นภาษาพม่าหรือภาษาไทใหญ่",
                },
            },
        ],
    },
    {
        "name": "Nusantara Legal Aid (DEMO)",
        "org_type": OrganisationType.LEGAL_SERVICE,
        "country": "ID",
        "address": "Jalan Contoh 5, Jakarta (fictional address)",
        "opening_hours": "Monday to Friday, 9:00 to 17:00",
        "phone": "+00 000 000 501",
        "email": "bantuan@nusantara-legal.example.org",
        "website": "https://nusantara-legal.example.org",
        "languages": ["id", "jv", "en"],
        "services": [
            {
                "kind": "legal",
                "description": "Free lawyers for people forced to work at sea or abroad.",
                "descriptions": {
                    "id": "Pengacara gratis untuk orang yang dipaksa bekerja di laut atau di luar "
                    "negeri.",
                    "km": "មេធាវីឥតគិតថ្លៃសម្រាប់អ្នកដែលត្រូវបានបង្ខំឱ្យធ្វើការនៅសមុទ្រ ឬនៅបរទេស។",
                    "th": "ทนายความฟรีสำหรับผู้ที่ถูกบังคับให้ทำงานในทะเลหรือในต่างประเทศ",
                },
                "exploitation_types": ["ForcedLabour", "ForcedCriminality"],
            },
            {
                "kind": "documents",
                "description": "Help to get back your passport or identity papers.",
                "descriptions": {
                    "id": "Bantuan untuk mendapatkan kembali paspor atau dokumen identitas Anda.",
                    "km": "ជួយឱ្យអ្នកទទួលបានលិខិតឆ្លងដែន ឬឯកសារអត្តសញ្ញាណរបស់អ្នកមកវិញ។",
                    "th": "ช่วยให้ได้หนังสือเดินทางหรือเอกสารประจำตัวคืน",
                },
                "nationalities": ["ID"],
            },
        ],
    },
    {
        "name": "Vientiane Family Support (DEMO)",
        "org_type": OrganisationType.NGO,
        "country": "LA",
        "areas": ["Vientiane Capital"],
        "address": "House 9, Demo Village, Vientiane (fictional address)",
        "opening_hours": "Monday to Friday, 8:00 to 16:30",
        "phone": "+00 000 000 601",
        "languages": ["lo", "th", "en"],
        "services": [
            {
                "kind": "family_tracing",
                "description": "Finding and contacting your family, and preparing your return "
                "home.",
                "descriptions": {
                    "km": "ស្វែងរក និងទាក់ទងគ្រួសាររបស់អ្នក ហើយរៀបចំការត្រឡប់ទៅផ្ទះវិញ។",
                    "th": "ค้นหาและติดต่อครอบครัวของคุณ และเตรียมการกลับบ้าน",
                },
                "nationalities": ["LA"],
            },
            {
                "kind": "reintegration_grant",
                "description": "A small grant and visits for one year after return.",
                "descriptions": {
                    "km": "ជំនួយឧបត្ថម្ភតូចមួយ និងការសួរសុខទុក្ខរយៈពេលមួយឆ្នាំក្រោយពេលត្រឡប់មកវិញ។",
                    "th": "เงินช่วยเหลือจำนวนเล็กน้อยและการเยี่ยมติดตามเป็นเวลาหนึ่งปีหลังกลับมา",
                },
                "nationalities": ["LA"],
            },
        ],
    },
]

PROVIDER_DEFAULTS: dict[str, Any] = {
    "areas": [],
    "address": "",
    "opening_hours": "",
    "phone": "",
    "email": "",
    "website": "",
    "public": True,
}


def _provider_data(spec: dict[str, Any]) -> dict[str, Any]:
    data = {**PROVIDER_DEFAULTS, **spec}
    link = data.pop("link", None)
    data.pop("services")
    data["organisation"] = Organisation.objects.filter(name=link).first() if link else None
    return data


def load() -> None:
    """Create the demo providers and their services; those already there are left alone."""
    for spec in PROVIDERS:
        if Provider.objects.filter(name=spec["name"]).exists():
            continue
        provider = actions.create_provider(None, _provider_data(spec))
        for service_spec in spec["services"]:
            data = {k: v for k, v in service_spec.items() if k != "available"}
            service = actions.add_service(None, provider, data)
            if "available" in service_spec:
                actions.update_availability(None, service, service_spec["available"])
