"""Well-known real group families (集团), written by hand: their legal entities, the names reps
use for each, the shared mail domain and website.

Each member is its own legal entity and so its own true customer (`group_as_one_customer` is
false in the policy). Short and English names are the ones in public use; the switchboard
numbers the batch gives each family are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    full_name: str
    short_names: tuple[str, ...]
    english_name: str
    key_account_claims: int = 0   # claims at 20,000-claim scale when the member is a key account


@dataclass(frozen=True)
class Family:
    key: str
    city: str
    domain: str
    website: str
    members: tuple[Member, ...]


FAMILIES: tuple[Family, ...] = (
    Family("huawei", "深圳市", "huawei.com", "www.huawei.com", (
        Member("华为技术有限公司", ("华为", "华为技术"), "Huawei Technologies Co., Ltd.", 200),
        Member("华为终端有限公司", ("华为终端",), "Huawei Device Co., Ltd.", 120),
        Member("华为云计算技术有限公司", ("华为云",), "Huawei Cloud Computing Technologies Co., Ltd.", 80),
        Member("华为数字能源技术有限公司", ("华为数字能源",), "Huawei Digital Power Technologies Co., Ltd.", 51),
    )),
    Family("alibaba", "杭州市", "alibaba-inc.com", "www.alibabagroup.com", (
        Member("阿里巴巴（中国）有限公司", ("阿里巴巴", "阿里"), "Alibaba (China) Co., Ltd.", 150),
        Member("阿里云计算有限公司", ("阿里云",), "Alibaba Cloud Computing Co., Ltd.", 110),
        Member("淘宝（中国）软件有限公司", ("淘宝",), "Taobao (China) Software Co., Ltd.", 50),
        Member("浙江天猫网络有限公司", ("天猫",), "Zhejiang Tmall Network Co., Ltd.", 40),
    )),
    Family("tencent", "深圳市", "tencent.com", "www.tencent.com", (
        Member("深圳市腾讯计算机系统有限公司", ("腾讯",), "Shenzhen Tencent Computer Systems Co., Ltd."),
        Member("腾讯科技（深圳）有限公司", ("腾讯科技",), "Tencent Technology (Shenzhen) Co., Ltd."),
        Member("腾讯云计算（北京）有限责任公司", ("腾讯云",), "Tencent Cloud Computing (Beijing) Co., Ltd."),
        Member("腾讯音乐娱乐科技（深圳）有限公司", ("腾讯音乐",),
               "Tencent Music Entertainment Technology (Shenzhen) Co., Ltd."),
    )),
    Family("baidu", "北京市", "baidu.com", "www.baidu.com", (
        Member("北京百度网讯科技有限公司", ("百度",), "Beijing Baidu Netcom Science and Technology Co., Ltd."),
        Member("百度在线网络技术（北京）有限公司", ("百度在线",),
               "Baidu Online Network Technology (Beijing) Co., Ltd."),
        Member("百度时代网络技术（北京）有限公司", ("百度时代",), "Baidu Times Technology (Beijing) Co., Ltd."),
    )),
    Family("bytedance", "北京市", "bytedance.com", "www.bytedance.com", (
        Member("北京字节跳动科技有限公司", ("字节跳动", "字节"), "Beijing ByteDance Technology Co., Ltd."),
        Member("北京字节跳动网络技术有限公司", ("字节跳动网络",), "Beijing ByteDance Network Technology Co., Ltd."),
        Member("北京抖音信息服务有限公司", ("抖音",), "Beijing Douyin Information Service Co., Ltd."),
        Member("北京飞书科技有限公司", ("飞书",), "Beijing Feishu Technology Co., Ltd."),
    )),
    Family("xiaomi", "北京市", "xiaomi.com", "www.mi.com", (
        Member("小米科技有限责任公司", ("小米", "小米科技"), "Xiaomi Inc."),
        Member("小米通讯技术有限公司", ("小米通讯",), "Xiaomi Communications Co., Ltd."),
        Member("北京小米移动软件有限公司", ("小米移动",), "Beijing Xiaomi Mobile Software Co., Ltd."),
        Member("小米汽车科技有限公司", ("小米汽车",), "Xiaomi EV Technology Co., Ltd."),
    )),
    Family("jd", "北京市", "jd.com", "www.jd.com", (
        Member("北京京东世纪贸易有限公司", ("京东", "京东商城"), "Beijing Jingdong Century Trading Co., Ltd."),
        Member("北京京东尚科信息技术有限公司", ("京东尚科",),
               "Beijing Jingdong Shangke Information Technology Co., Ltd."),
        Member("京东科技控股股份有限公司", ("京东科技",), "JD Technology Holding Co., Ltd."),
        Member("北京京邦达贸易有限公司", ("京东物流",), "Beijing Jingbangda Trade Co., Ltd."),
    )),
    Family("netease", "杭州市", "corp.netease.com", "www.163.com", (
        Member("网易（杭州）网络有限公司", ("网易",), "NetEase (Hangzhou) Network Co., Ltd."),
        Member("杭州网易云音乐科技有限公司", ("网易云音乐",), "Hangzhou NetEase Cloud Music Technology Co., Ltd."),
        Member("广州网易计算机系统有限公司", ("网易游戏",), "Guangzhou NetEase Computer System Co., Ltd."),
        Member("网易有道信息技术（北京）有限公司", ("网易有道", "有道"),
               "NetEase Youdao Information Technology (Beijing) Co., Ltd."),
    )),
)
